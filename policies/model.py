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
    layer: str = ""  # the lake layer (lake.layers) whose root holds it; "" for an unsplit root

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
        by_type = self._index()[2]
        if len(types) == 1:
            yield from (r for r in by_type.get(types[0], ()) if r.mode == mode)
            return
        for r in self.resources:
            if r.type in types and r.mode == mode:
                yield r

    def _index(self) -> tuple[dict[str, Resource], dict[str, list[Resource]], dict[str, list[Resource]]]:
        cached = self.settings.get("__index__")
        if cached is None or cached[0] != len(self.resources):
            by_address = {r.address: r for r in self.resources}
            by_base: dict[str, list[Resource]] = {}
            by_type: dict[str, list[Resource]] = {}
            for r in self.resources:
                by_base.setdefault(r.address.split("[")[0], []).append(r)
                by_type.setdefault(r.type, []).append(r)
            cached = (len(self.resources), by_address, by_base, by_type)
            self.settings["__index__"] = cached
        return cached[1], cached[2], cached[3]

    def by_address(self, address: str) -> Resource | None:
        return self._index()[0].get(address)

    def referenced(self, value: Any, *types: str) -> list[Resource]:
        """Resources that an Unknown value depends on (``address.attr`` references), filtered by type."""
        if not isinstance(value, Unknown):
            return []
        by_address, by_base, _ = self._index()
        found: dict[int, Resource] = {}
        for ref in value.refs:
            candidate = ref
            while candidate:
                hits = [by_address[candidate]] if candidate in by_address else by_base.get(candidate, [])
                if hits:
                    for r in hits:
                        if not types or r.type in types:
                            found[id(r)] = r
                    break
                if "." not in candidate:
                    break
                head, _, tail = candidate.rpartition(".")
                if "]" in tail and "[" not in tail:  # a dot inside an index key: stop rather than guess
                    break
                candidate = head
        return list(found.values())


def subset(model: Model, module_prefix: str) -> Model:
    """The resources under one module instance (e.g. ``module.lake_a``), as a model of their own."""
    prefix = module_prefix.rstrip(".") + "."
    resources = [r for r in model.resources if r.address.startswith(prefix)]
    settings = {k: v for k, v in model.settings.items() if k != "__index__"}
    settings["undecidable"] = [(a, why) for a, why in model.settings.get("undecidable", []) if a.startswith(prefix)]
    return Model(resources, model.origin, model.contracts_dir, model.artifact_dir, model.source_dir, settings)
