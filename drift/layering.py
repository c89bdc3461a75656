"""Which layer each finding belongs to: the layer whose state manages it, or manages its parent. Pure.

A finding on a managed resource takes that resource's layer; an unmanaged object takes its parent's (an inline
policy on a foundation role is foundation's), else the one layer that manages objects of its type (a hand-made
crawler belongs with the catalog's crawlers); when no single layer does, it has none ("").
"""

from __future__ import annotations

from drift.model import Finding, ManagedResource


def assign(findings: list[Finding], resources: list[ManagedResource]) -> None:
    """Set ``layer`` on every finding that has none yet (in place)."""
    by_address = {r.address: r.layer for r in resources}
    by_type: dict[str, set[str]] = {}
    for resource in resources:
        by_type.setdefault(resource.type, set()).add(resource.layer)
    for finding in findings:
        if finding.layer:
            continue
        if finding.address in by_address:
            finding.layer = by_address[finding.address]
        elif finding.parent and finding.parent in by_address:
            finding.layer = by_address[finding.parent]
        elif len(by_type.get(finding.type, ())) == 1:
            (finding.layer,) = by_type[finding.type]
