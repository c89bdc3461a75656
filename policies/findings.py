"""A finding: one violated invariant at one resource address, with the fix and the layer that holds it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class Finding:
    check_id: str
    severity: str
    address: str
    message: str
    fix: str
    source: str = ""  # file:line or plan address
    origin: str = ""  # hcl | plan | state | checkov
    layer: str = ""  # the lake layer (lake.layers) whose root holds the resource; "" for an unsplit root or none
    suppressed_by: str = field(default="", compare=False)

    def to_dict(self) -> dict:
        return asdict(self)
