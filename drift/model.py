"""Plain data the drift checker passes around: managed resources, readings, findings.

Nothing here does I/O; every other module builds or consumes these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What kind of drift a finding reports."""

    DELETED = "deleted"  # in state, gone from AWS
    CHANGED = "changed"  # in state and in AWS, an attribute differs
    UNMANAGED = "unmanaged"  # in AWS, inside the lake's scope, not in any state
    UNKNOWN = "unknown"  # could not be read (access denied, throttled, no adapter)
    CONFLICT = "conflict"  # one object managed by two of the given states (a half-done migration)


class Severity(StrEnum):
    """How bad a finding is. ``critical`` means the live lake breaks an invariant the state did not break."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class ManagedResource:
    """One resource instance in a Terraform state (mode ``managed``)."""

    address: str  # module.x.aws_s3_bucket.raw["k"]
    type: str
    attributes: dict
    source: str = ""  # the state it came from (path or s3:// URL)
    module: str | None = None
    name: str = ""
    index_key: object = None
    layer: str = ""  # the Terraform layer (lake.layers) whose state manages it; "" for an unsplit root

    @property
    def id(self) -> str:
        return str(self.attributes.get("id") or "")


@dataclass(frozen=True)
class Change:
    """One attribute that differs: the path inside the resource, the state's value, the live value."""

    path: str
    state: object
    live: object


@dataclass(frozen=True)
class Unmanaged:
    """A live object in the lake's scope that no state manages, as an adapter discovered it.

    ``attributes`` are in the provider's attribute shape for ``type`` so the invariant checks can judge it;
    ``parent`` is the managed resource it hangs off (the role an inline policy was added to), if any.
    """

    type: str
    id: str
    attributes: dict
    description: str
    delete_command: str
    parent: str | None = None

    @property
    def address(self) -> str:
        return f"{self.type}:{self.id}"


@dataclass
class Finding:
    kind: Kind
    address: str
    type: str
    message: str
    remedy: str
    severity: Severity = Severity.WARNING
    changes: list[Change] = field(default_factory=list)
    resource_id: str = ""
    source: str = ""
    parent: str | None = None
    invariants: list[str] = field(default_factory=list)  # "ID: message" of each invariant this drift breaks
    ignored: str | None = None  # the reason from the ignore file, when accepted
    layer: str = ""  # the layer whose state manages it (or its parent); "" when no layer owns it

    def to_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "severity": self.severity.value,
            "layer": self.layer or None,
            "address": self.address,
            "type": self.type,
            "id": self.resource_id,
            "source": self.source,
            "parent": self.parent,
            "message": self.message,
            "remedy": self.remedy,
            "changes": [{"path": c.path, "state": c.state, "live": c.live} for c in self.changes],
            "invariants": list(self.invariants),
            "ignored": self.ignored,
        }
