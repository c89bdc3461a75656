"""What a check is: an invariant id, its severity, title, rationale and fix, and a function of the context."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from policies.findings import Finding


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    title: str
    rationale: str
    fix: str
    run: Callable[..., Iterable[Finding]]
    group: str = ""

    def finding(self, ctx, address: str, message: str, fix: str | None = None, source: str = "") -> Finding:
        """A finding about the resource at ``address``: its source and its layer come from that resource
        (:meth:`policies.context.Context.layer_of`)."""
        resource = ctx.model.by_address(address)
        return Finding(
            check_id=self.id,
            severity=self.severity,
            address=address,
            message=message,
            fix=fix or self.fix,
            source=source or (resource.source if resource else ""),
            origin=ctx.model.origin,
            layer=ctx.layer_of(address),
        )
