"""``lake replay``: reprocess raw objects into a schema version, or redrive the on-failure queue.

Raw is immutable and versioned, so any curated state can be rebuilt from it. Replay runs the dataset's function
code with the function's own configuration (read back from Lambda), optionally pointed at another contract
version (``SCHEMA_VERSION`` / ``CURATED_PREFIX`` overridden), on the selected raw object versions. The handler is
deterministic, so replaying twice leaves the curated prefix byte-identical.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import contracts
from lake.dispatcher import LocalDispatcher, s3_event
from lake.errors import LakeError

_KEY_DATE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/")


class ReplayError(LakeError):
    """The replay request cannot be carried out as asked."""


@dataclass(frozen=True)
class RawVersion:
    key: str
    version_id: str | None
    size: int
    etag: str
    is_latest: bool
    last_modified: object = None


def key_date(key: str) -> date | None:
    """The upload date in ``incoming/<dataset>/YYYY/MM/DD/...``, or None."""
    m = _KEY_DATE.search(key)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def select_versions(
    versions: Iterable[RawVersion],
    dataset: str,
    all_versions: bool = False,
    since: date | None = None,
    until: date | None = None,
) -> list[RawVersion]:
    """The raw versions a replay covers, in a stable order (key, then version)."""
    prefix = f"incoming/{dataset}/"
    chosen = []
    for v in versions:
        if not v.key.startswith(prefix) or (not all_versions and not v.is_latest):
            continue
        if since or until:
            d = key_date(v.key)
            if d is None or (since and d < since) or (until and d > until):
                continue
        chosen.append(v)
    return sorted(chosen, key=lambda v: (v.key, v.version_id or ""))


@dataclass
class ReplaySummary:
    objects: int = 0
    records_in: int = 0
    written: int = 0
    quarantined: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, result: object) -> None:
        self.objects += 1
        for item in _results(result):
            self.records_in += int(item.get("records_in", 0))
            self.written += int(item.get("written", 0))
            self.quarantined += int(item.get("quarantined", 0))

    def line(self) -> str:
        return (
            f"replayed {self.objects} object(s): {self.records_in} record(s) in, {self.written} written, "
            f"{self.quarantined} quarantined, {len(self.failed)} failed"
        )


def _results(result: object) -> list[dict]:
    if isinstance(result, dict):
        inner = result.get("results") or result.get("objects")
        if isinstance(inner, list):
            return [r for r in inner if isinstance(r, dict)]
        return [result]
    if isinstance(result, list):
        return [r for r in result if isinstance(r, dict)]
    return []


def list_raw_versions(s3, bucket: str, dataset: str) -> list[RawVersion]:
    out = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=f"incoming/{dataset}/"):
        for v in page.get("Versions", []):
            out.append(RawVersion(v["Key"], v.get("VersionId"), v["Size"], v["ETag"], v["IsLatest"], v["LastModified"]))
    return out


def schema_override(dataset: str, version: int | None, root: Path | None = None) -> dict[str, str]:
    """Environment that points the handler at another contract version (the contract must exist under ``root``)."""
    if version is None:
        return {}
    contract = contracts.load_contract(dataset, version, root)
    return {"SCHEMA_VERSION": str(contract.version), "CURATED_PREFIX": contract.curated_prefix}


def replay_dataset(
    dispatcher: LocalDispatcher,
    function: str,
    dataset: str,
    schema_version: int | None = None,
    all_versions: bool = False,
    since: date | None = None,
    until: date | None = None,
    progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> ReplaySummary:
    try:
        env = schema_override(dataset, schema_version, dispatcher.contracts_dir)
    except contracts.ContractError as exc:
        raise ReplayError(str(exc)) from None
    s3 = dispatcher.aws.client("s3")
    chosen = select_versions(list_raw_versions(s3, dispatcher.bucket, dataset), dataset, all_versions, since, until)
    summary = ReplaySummary()
    for i, v in enumerate(chosen, 1):
        event = s3_event(dispatcher.bucket, v.key, v.version_id, v.size, v.etag, dispatcher.aws.region)
        try:
            summary.add(dispatcher.invoke_once(function, event, env_override=env))
        except LakeError:
            raise
        except Exception as exc:  # keep going; every failure is listed in the summary
            summary.failed.append(f"{v.key}@{v.version_id}: {type(exc).__name__}: {exc}")
        progress(i, len(chosen))
    return summary


def redrive(
    dispatcher: LocalDispatcher,
    queue_url: str,
    max_messages: int = 1000,
    progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> ReplaySummary:
    """Re-run each on-failure record's original event; delete the message only when it succeeds."""
    sqs = dispatcher.aws.client("sqs")
    summary = ReplaySummary()
    handled = 0
    while handled < max_messages:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=300
        ).get("Messages", [])
        if not batch:
            break
        for message in batch:
            handled += 1
            try:
                record = json.loads(message["Body"])
                event = record["requestPayload"]
                function = record["requestContext"]["functionArn"].split(":function:")[-1].split(":")[0]
            except (ValueError, KeyError, TypeError):
                summary.failed.append(f"message {message['MessageId']}: not a Lambda on-failure record; left in queue")
                continue
            try:
                summary.add(dispatcher.invoke_once(function, event))
            except Exception as exc:
                summary.failed.append(f"message {message['MessageId']}: {type(exc).__name__}: {exc}; left in queue")
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            progress(handled, handled)
    return summary
