"""The imperative shell of a drift check: read every managed resource in a thread pool, find unmanaged ones.

Everything that decides something lives in pure modules (``decide``, ``diff``, ``judge``); this one only
schedules reads, classifies AWS errors into ``unknown`` findings and shows progress on a terminal.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

from drift.adapters import adapter_for, adapters
from drift.adapters.base import Adapter, Scope
from drift.aws import DENIED_CODES, THROTTLE_CODES, LiveAWS, error_code
from drift.decide import finding_for_unknown, finding_for_unmanaged, findings_for_reading
from drift.model import Finding, ManagedResource, Unmanaged
from lake.errors import LakeError


class AWSUnreachable(LakeError):
    """No credentials, or the endpoint does not answer: nothing can be checked."""


@dataclass
class Scan:
    resources: list[ManagedResource]
    findings: list[Finding]
    live: dict[tuple[str, str], dict | None]  # (source, address) -> live attributes (None: deleted); absent: unread
    unmanaged: list[Unmanaged]
    calls: int
    seconds: float
    calls_by_operation: dict[str, int] = field(default_factory=dict)
    discovery_calls: int = 0  # of ``calls``, those the unmanaged searches made (sub-resources, <prefix>-* lists)
    discovery_by_operation: dict[str, int] = field(default_factory=dict)

    @property
    def checked(self) -> int:
        return len(self.live)

    @property
    def coverage(self) -> float:
        return 1.0 if not self.resources else self.checked / len(self.resources)


def classify(exc: Exception) -> tuple[str, str]:
    """(reason, detail) of a failed read."""
    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code in DENIED_CODES:
            return "denied", f"{code}: {exc.response.get('Error', {}).get('Message', '')}".strip(": ")
        if code in THROTTLE_CODES:
            return "throttled", code
        return "error", f"{code}: {exc.response.get('Error', {}).get('Message', '')}"
    return "error", f"{type(exc).__name__}: {exc}"


def _fatal(exc: Exception) -> bool:
    return isinstance(exc, (NoCredentialsError, EndpointConnectionError))


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("drift"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,
    )


def scan(
    resources: list[ManagedResource],
    aws: LiveAWS,
    name_prefix: str | None = None,
    workers: int = 16,
    progress: bool | None = None,
    lookup: Callable[[str], Adapter | None] = adapter_for,
) -> Scan:
    """Read every resource, then ask each adapter for unmanaged objects in the lake's scope.

    Every registered adapter searches, not only those of the types the states manage: a sub-resource no state
    manages (a lifecycle rule, a function URL, a grant) is found on its managed parent, and a resource named with
    the lake's prefix is found whatever its type.
    """
    started = time.perf_counter()
    calls_before = aws.counter.calls
    findings: list[Finding] = []
    live: dict[tuple[str, str], dict | None] = {}
    readable = []
    for resource in resources:
        adapter = lookup(resource.type)
        if adapter is None:
            findings.append(finding_for_unknown(resource, "no adapter", f"no drift adapter for {resource.type}"))
        else:
            readable.append((resource, adapter))

    def read(item: tuple[ManagedResource, Adapter]):
        resource, adapter = item
        try:
            return resource, adapter, adapter.read(aws, resource), None
        except (ClientError, BotoCoreError) as exc:
            if _fatal(exc):
                raise AWSUnreachable(f"cannot reach AWS: {exc}") from None
            return resource, adapter, None, exc

    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(len(readable), show)
    scope = Scope(resources, name_prefix)
    unmanaged: list[Unmanaged] = []
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="drift") as pool:
        task = None
        if bar is not None:
            bar.start()
            task = bar.add_task("read", total=len(readable))
        try:
            for resource, adapter, reading, error in pool.map(read, readable):
                if bar is not None:
                    bar.advance(task)
                if error is not None:
                    reason, detail = classify(error)
                    findings.append(finding_for_unknown(resource, reason, detail, adapter.api))
                    continue
                live[(resource.source, resource.address)] = reading
                findings.extend(findings_for_reading(adapter, resource, reading))
        finally:
            if bar is not None:
                bar.stop()
        before_discovery, ops_before = aws.counter.calls, dict(aws.counter.by_operation)
        types = sorted({r.type for r, _ in readable} | (set(adapters()) if lookup is adapter_for else set()))
        for resource_type, result in zip(
            types, pool.map(lambda t: _unmanaged(lookup(t), aws, scope), types), strict=True
        ):
            items, error = result
            if error is not None:
                reason, detail = classify(error)
                findings.append(
                    finding_for_unknown(
                        None,
                        reason,
                        f"unmanaged search failed: {detail}",
                        lookup(resource_type).api,
                        address=f"{resource_type}:*",
                        resource_type=resource_type,
                    )
                )
            unmanaged.extend(items)
        discovery_calls = aws.counter.calls - before_discovery
        discovery_ops = {
            op: n - ops_before.get(op, 0) for op, n in aws.counter.by_operation.items() if n > ops_before.get(op, 0)
        }
    seen = set()
    for item in unmanaged:
        if item.address in seen:
            continue
        seen.add(item.address)
        findings.append(finding_for_unmanaged(item, _import_id(item)))
    return Scan(
        resources=resources,
        findings=findings,
        live=live,
        unmanaged=[u for u in unmanaged if u.address in seen],
        calls=aws.counter.calls - calls_before,
        seconds=time.perf_counter() - started,
        calls_by_operation=dict(aws.counter.by_operation),
        discovery_calls=discovery_calls,
        discovery_by_operation=discovery_ops,
    )


def _import_id(item: Unmanaged) -> str:
    if item.type == "aws_iam_role_policy_attachment":
        return item.id
    if item.type == "aws_s3_bucket_notification":
        return item.attributes.get("bucket", item.id)
    return item.id


def _unmanaged(adapter: Adapter, aws: LiveAWS, scope: Scope) -> tuple[list[Unmanaged], Exception | None]:
    try:
        return list(adapter.unmanaged(aws, scope)), None
    except (ClientError, BotoCoreError) as exc:
        if _fatal(exc):
            raise AWSUnreachable(f"cannot reach AWS: {exc}") from None
        return [], exc
