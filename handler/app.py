"""The Lambda entry point: S3 event -> read raw object -> transform -> publish curated Parquet and quarantine.

Everything about *what* to write lives in ``transform``; this module is the AWS shell: reading the object
(key + versionId), publishing staged files atomically per key, rolling back curated objects it created when
a later write fails, and one structured JSON log line per object. Bucket names, prefixes, dataset and schema
version all come from the environment (``Config``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_plus

from handler import batch
from handler.config import Config
from handler.naming import curated_key, quarantine_key
from handler.plan import Plan
from handler.transform import Staged, transform

READ_BLOCK = 1 << 20
CHECKSUM_METADATA = "sha256"


class EventError(ValueError):
    """The event is not an S3 notification this function can process (raised so the event is kept)."""


def s3_objects(event: dict) -> list[tuple[str, str, str | None]]:
    """(bucket, decoded key, versionId) of every S3 record in an event, in order."""
    out = []
    for i, record in enumerate(event.get("Records") or []):
        if record.get("eventSource") != "aws:s3" or "s3" not in record:
            raise EventError(f"Records[{i}] is not an S3 event record (eventSource={record.get('eventSource')!r})")
        obj = record["s3"]["object"]
        out.append((record["s3"]["bucket"]["name"], unquote_plus(obj["key"]), obj.get("versionId")))
    return out


@functools.lru_cache(maxsize=8)
def plan_for(dataset: str, version: int) -> Plan:
    from contracts import load_contract

    return Plan.of(load_contract(dataset, version))


def default_s3_client():
    """boto3's default S3 client (``AWS_ENDPOINT_URL`` points it at a local endpoint), one per endpoint."""
    return _s3_client(os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("AWS_REGION"))


@functools.lru_cache(maxsize=4)
def _s3_client(endpoint: str | None, region: str | None):
    import boto3

    return boto3.client("s3")


def lambda_handler(event: dict, context: object) -> dict:
    config = Config.from_env(os.environ)
    s3 = default_s3_client()
    if batch.is_batch_event(event):  # an S3 Batch Operations job (lake replay --aws): one result code per task
        return batch.handle(event, config, lambda cfg, b, k, v: process_object(s3, cfg, b, k, v))
    results = []
    for bucket, key, version_id in s3_objects(event):
        if bucket != config.raw_bucket:
            raise EventError(f"s3://{bucket}/{key}: event from a bucket other than RAW_BUCKET")
        results.append(process_object(s3, config, bucket, key, version_id))
    return {"objects": results}


def _blocks(body, counter: list[int]) -> Iterator[bytes]:
    for block in body.iter_chunks(READ_BLOCK):
        counter[0] += len(block)
        yield block


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(READ_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _error_code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def put_if_new(s3, bucket: str, key: str, path: Path, content_type: str) -> str:
    """Write ``path`` to ``key`` unless identical bytes are already there: ``created``, ``unchanged`` or ``replaced``.

    The conditional write (If-None-Match) makes a redelivered event a no-op (no new object or version).
    """
    checksum = _sha256(path)
    args = {"Bucket": bucket, "Key": key, "ContentType": content_type, "Metadata": {CHECKSUM_METADATA: checksum}}
    with open(path, "rb") as fh:
        try:
            s3.put_object(Body=fh, IfNoneMatch="*", **args)
            return "created"
        except Exception as exc:
            if _error_code(exc) not in ("PreconditionFailed", "412"):
                raise
    head = s3.head_object(Bucket=bucket, Key=key)
    if head.get("Metadata", {}).get(CHECKSUM_METADATA) == checksum:
        return "unchanged"
    with open(path, "rb") as fh:
        s3.put_object(Body=fh, **args)
    return "replaced"


def _unreadable_report(path: Path, raw_bucket: str, raw_key: str, version_id: str | None, reason: str) -> Path:
    report = {
        "raw_bucket": raw_bucket,
        "raw_key": raw_key,
        "version_id": version_id,
        "error": "unreadable",
        "reason": reason,
    }
    path.write_bytes((json.dumps(report, ensure_ascii=False) + "\n").encode("utf-8"))
    return path


def publish(s3, config: Config, raw_bucket: str, raw_key: str, version_id: str | None, staged: Staged, workdir: Path):
    """Upload the staged files; on failure delete the curated objects this call created, then re-raise."""
    outcomes: dict[str, str] = {}
    q_key = None
    q_file = staged.quarantine_file
    if staged.unreadable is not None:
        q_file = _unreadable_report(workdir / "unreadable.ndjson", raw_bucket, raw_key, version_id, staged.unreadable)
    if q_file is not None:
        q_key = quarantine_key(config.dataset, config.schema_version, raw_key, version_id)
        outcomes[f"s3://{config.quarantine_bucket}/{q_key}"] = put_if_new(
            s3, config.quarantine_bucket, q_key, q_file, "application/x-ndjson"
        )
    created: list[str] = []
    curated: list[str] = []
    try:
        for dt, path in staged.partitions.items():
            key = curated_key(config.curated_prefix, dt, raw_key, version_id)
            outcome = put_if_new(s3, config.curated_bucket, key, path, "application/vnd.apache.parquet")
            outcomes[f"s3://{config.curated_bucket}/{key}"] = outcome
            curated.append(key)
            if outcome == "created":
                created.append(key)
    except BaseException:
        for key in created:
            try:
                s3.delete_object(Bucket=config.curated_bucket, Key=key)
            except Exception as exc:
                print(json.dumps({"message": "rollback failed", "key": key, "error": str(exc)}), file=sys.stderr)
        raise
    return curated, q_key, outcomes


def process_object(s3, config: Config, bucket: str, key: str, version_id: str | None) -> dict:
    """Process one raw object version with ``config`` (its dataset and schema version); returns the log record."""
    started = time.monotonic()
    plan = plan_for(config.dataset, config.schema_version)
    args = {"Bucket": bucket, "Key": key}
    if version_id:
        args["VersionId"] = version_id
    response = s3.get_object(**args)
    version_id = version_id or response.get("VersionId")
    if version_id == "null":
        version_id = None
    counter = [0]
    with tempfile.TemporaryDirectory(prefix="etl-") as tmp:
        workdir = Path(tmp)
        staged = transform(_blocks(response["Body"], counter), plan, workdir, key, version_id, limits=config.limits)
        bytes_out = sum(p.stat().st_size for p in staged.partitions.values())
        curated, q_key, outcomes = publish(s3, config, bucket, key, version_id, staged, workdir)
    result = {
        "message": "etl object",
        "dataset": config.dataset,
        "schema_version": config.schema_version,
        "bucket": bucket,
        "key": key,
        "version_id": version_id,
        "format": staged.format,
        "records_in": staged.records_in,
        "written": staged.written,
        "quarantined": staged.quarantined,
        "unreadable": staged.unreadable,
        "rows_per_partition": staged.rows_per_partition,
        "bytes_in": counter[0],
        "bytes_out": bytes_out,
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
        "curated_keys": curated,
        "quarantine_key": q_key,
        "writes": outcomes,
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result
