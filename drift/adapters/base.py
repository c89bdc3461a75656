"""What every adapter is: read one live object into the state's attribute shape, and find unmanaged neighbours."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from drift.model import ManagedResource, Unmanaged


@dataclass
class Scope:
    """The managed world an adapter needs to tell managed from unmanaged: resources by type, the name prefix."""

    resources: list[ManagedResource]
    name_prefix: str | None = None
    by_type: dict[str, list[ManagedResource]] = field(init=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[ManagedResource]] = defaultdict(list)
        for resource in self.resources:
            grouped[resource.type].append(resource)
        self.by_type = dict(grouped)

    def of_type(self, resource_type: str) -> list[ManagedResource]:
        return self.by_type.get(resource_type, [])

    def values(self, resource_type: str, attribute: str) -> set[str]:
        return {str(r.attributes.get(attribute)) for r in self.of_type(resource_type) if r.attributes.get(attribute)}


class Adapter:
    """One Terraform resource type.

    ``read`` returns the live object mapped into the state's attribute shape (only the attributes it compares:
    the rest are provider-computed or not worth a call), or None when the object is gone. AWS errors other than
    "not found" propagate; the scanner turns them into ``unknown`` findings.
    """

    type: ClassVar[str] = ""
    service: ClassVar[str] = ""
    api: ClassVar[str] = ""  # the read calls, for the docs and for the "grant this" remedy of an unknown finding
    compares: ClassVar[str] = ""  # one line for the docs: what is compared
    policy_paths: ClassVar[tuple[str, ...]] = ()  # attributes holding IAM policy JSON, compared for equivalence
    # attributes read only to rebuild the live model for the invariant checks, never diffed (e.g. a role's
    # inline_policy: an added inline policy is reported once, as unmanaged, not also as a change of the role)
    model_only: ClassVar[frozenset[str]] = frozenset()

    def read(self, aws, resource: ManagedResource) -> dict | None:
        raise NotImplementedError

    def canonical(self, attributes: dict) -> dict:
        """A type-specific canonical form applied to both sides before diffing (e.g. sort blocks by id)."""
        return attributes

    def unmanaged(self, aws, scope: Scope) -> Iterable[Unmanaged]:
        """Live objects in the lake's scope that no state manages (called once per type with managed instances)."""
        return ()

    def import_id(self, resource: ManagedResource) -> str:
        return resource.id
