"""Decide what a reading means: pure functions from (resource, live reading) to findings."""

from __future__ import annotations

from drift import remedy
from drift.adapters.base import Adapter
from drift.diff import changes
from drift.model import Change, Finding, Kind, ManagedResource, Severity, Unmanaged


def _short(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_changes(found: list[Change]) -> str:
    first = found[0]
    more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
    return f"{first.path}: {_short(first.state)} -> {_short(first.live)}{more}"


def findings_for_reading(adapter: Adapter, resource: ManagedResource, live: dict | None) -> list[Finding]:
    """``deleted`` when the object is gone, ``changed`` when attributes differ, nothing when they agree."""
    if live is None:
        return [
            Finding(
                kind=Kind.DELETED,
                address=resource.address,
                type=resource.type,
                resource_id=resource.id,
                source=resource.source,
                message=f"{resource.type} {resource.id} is in the state but gone from AWS",
                remedy=remedy.for_deleted(resource.address),
            )
        ]
    state = adapter.canonical(resource.attributes)
    compared = {k: v for k, v in live.items() if k not in adapter.model_only}
    found = changes(state, adapter.canonical(compared), adapter.policy_paths)
    if not found:
        return []
    return [
        Finding(
            kind=Kind.CHANGED,
            address=resource.address,
            type=resource.type,
            resource_id=resource.id,
            source=resource.source,
            message=describe_changes(found),
            remedy=remedy.for_changed(resource.address),
            changes=found,
        )
    ]


def finding_for_unmanaged(item: Unmanaged, import_id: str) -> Finding:
    return Finding(
        kind=Kind.UNMANAGED,
        address=item.address,
        type=item.type,
        resource_id=item.id,
        parent=item.parent,
        message=item.description,
        remedy=remedy.for_unmanaged(item.type, import_id, item.delete_command),
    )


def finding_for_unknown(
    resource: ManagedResource | None,
    reason: str,
    detail: str,
    api: str = "",
    *,
    address: str = "",
    resource_type: str = "",
) -> Finding:
    return Finding(
        kind=Kind.UNKNOWN,
        address=resource.address if resource else address,
        type=resource.type if resource else resource_type,
        resource_id=resource.id if resource else "",
        source=resource.source if resource else "",
        severity=Severity.INFO,
        message=f"not checked ({reason}): {detail}",
        remedy=remedy.for_unknown(reason, api),
    )


def finding_for_conflict(kept: ManagedResource, other: ManagedResource) -> Finding:
    """One object managed by two states: an apply of either may change or destroy what the other manages."""
    where = f"{kept.source} and {other.source}"
    also = "" if kept.address == other.address else f" (as {other.address} in {other.source})"
    return Finding(
        kind=Kind.CONFLICT,
        address=kept.address,
        type=kept.type,
        resource_id=kept.id,
        source=other.source,
        severity=Severity.CRITICAL,
        message=f"{kept.type} {kept.id or kept.address} is managed by two states: {where}{also}",
        remedy=remedy.for_conflict(kept.address, kept.source, other.source, other.address),
        layer=kept.layer,
    )


def merge_live(state: object, live: object) -> object:
    """The state's attributes with everything the adapter read from AWS laid over them (the live model)."""
    if isinstance(state, dict) and isinstance(live, dict):
        out = dict(state)
        for key, value in live.items():
            out[key] = merge_live(state.get(key), value)
        return out
    if isinstance(state, list) and isinstance(live, list) and len(state) == len(live):
        return [merge_live(s, v) for s, v in zip(state, live, strict=True)]
    return live
