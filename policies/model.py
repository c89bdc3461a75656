"""The normalised resource model every check reads, whatever the input (HCL, plan JSON, state).

A :class:`Resource` is one instance (``count``/``for_each`` expanded) with its address, type and attribute
values in the plan JSON shape (nested blocks are lists of objects). A value that cannot be decided is an
:class:`Unknown` that says why and which resources it depends on; checks fail closed on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be decided from this input; ``refs`` are the addresses it depends on."""

    reason: str
    refs: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"<unknown: {self.reason}>"

    def merge(self, other: Unknown) -> Unknown:
        return Unknown(self.reason, tuple(dict.fromkeys(self.refs + other.refs)))


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def find_unknown(value: Any) -> Unknown | None:
    """The first Unknown anywhere inside ``value`` (dicts and lists are searched), or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        for v in value.values():
            found = find_unknown(v)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for v in value:
            found = find_unknown(v)
            if found is not None:
                return found
    return None


@dataclass
class Resource:
    address: str
    type: str
    name: str
    values: dict[str, Any]
    mode: str = "managed"  # or "data"
    module: str = ""  # "module.lake.module.s3" or "" for the root module
    index: Any = None  # count index or for_each key
    source: str = ""  # file:line when known

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def block(self, key: str) -> list[dict]:
        """A nested block as a list of objects (absent or null -> [])."""
        value = self.values.get(key)
        if value is None:
            return []
        if isinstance(value, dict):
            return [value]
        if isinstance(value, Unknown):
            return [{"__unknown__": value}]
        return list(value)


@dataclass
class Model:
    """All resources of one input, plus what the input knows about its context."""

    resources: list[Resource]
    origin: str = "hcl"  # hcl | plan | state
    contracts_dir: Any = None  # Path of contracts/ when known
    artifact_dir: Any = None  # Path of dist/ when known
    source_dir: Any = None  # repository root when known
    settings: dict[str, Any] = field(default_factory=dict)

    def of_type(self, *types: str, mode: str = "managed") -> Iterator[Resource]:
        for r in self.resources:
            if r.type in types and r.mode == mode:
                yield r

    def by_address(self, address: str) -> Resource | None:
        for r in self.resources:
            if r.address == address:
                return r
        return None

    def referenced(self, value: Any, *types: str) -> list[Resource]:
        """Resources that an Unknown value depends on (by address prefix), filtered by type."""
        if not isinstance(value, Unknown):
            return []
        found = []
        for ref in value.refs:
            for r in self.resources:
                if types and r.type not in types:
                    continue
                base = r.address.split("[")[0]
                if ref == r.address or ref.startswith(r.address + ".") or ref == base or ref.startswith(base + "."):
                    found.append(r)
        return list({id(r): r for r in found}.values())
