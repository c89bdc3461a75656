"""S3 Batch Operations ``LambdaInvoke`` events: parse the tasks, run each one, answer with a result code per task.

A Batch Operations job invokes the function synchronously with ``{"invocationSchemaVersion", "invocationId",
"job", "tasks": [...]}`` and expects ``{"invocationSchemaVersion", "treatMissingKeysAs", "invocationId",
"results": [{"taskId", "resultCode", "resultString"}]}`` back. Schema 1.0 names the bucket by ARN
(``s3BucketArn``); schema 2.0 by name (``s3Bucket``) and may carry ``job.userArguments``. Keys arrive URL-encoded,
as in S3 notifications.

Each task runs through the same ``process_object`` as an S3 notification for the same object version, so the
curated and quarantine objects are byte-identical and a redelivered task changes nothing. A retryable S3 error
(throttling, 5xx, a dropped connection) answers ``TemporaryFailure`` so the job retries the task; anything else
``PermanentFailure`` with the reason, which lands in the job's completion report.

``userArguments.schemaVersion`` (schema 2.0) replays into another contract version, as ``lake replay
--schema-version`` does locally: ``SCHEMA_VERSION`` and ``CURATED_PREFIX`` follow that contract.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus

from botocore.retries.standard import RetryContext, ThrottledRetryableChecker, TransientRetryableChecker

from contracts import ContractError, load_contract
from handler.config import Config

SCHEMA_VERSIONS = ("1.0", "2.0")
SUCCEEDED, TEMPORARY, PERMANENT = "Succeeded", "TemporaryFailure", "PermanentFailure"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
SCHEMA_ARGUMENT = "schemaVersion"
RESULT_STRING_LIMIT = 1024  # keep the completion report's rows short; the full record is in the function's log

_CHECKERS = (TransientRetryableChecker(), ThrottledRetryableChecker())


class BatchEventError(ValueError):
    """The event is not a Batch Operations invocation this function understands (raised: the job fails loudly)."""


@dataclass(frozen=True)
class Task:
    task_id: str
    bucket: str
    key: str
    version_id: str | None


def is_batch_event(event: object) -> bool:
    """True for an S3 Batch Operations invocation (it has ``invocationSchemaVersion`` and ``tasks``)."""
    return isinstance(event, dict) and "invocationSchemaVersion" in event and "tasks" in event


def _bucket_of(task: dict, version: str, index: int) -> str:
    if version == "1.0":
        arn = task.get("s3BucketArn") or ""
        if not arn.startswith("arn:") or ":::" not in arn:
            raise BatchEventError(f"tasks[{index}]: s3BucketArn {arn!r} is not an S3 bucket ARN")
        return arn.split(":::", 1)[1]
    bucket = task.get("s3Bucket")
    if not bucket:
        raise BatchEventError(f"tasks[{index}]: schema 2.0 task has no s3Bucket")
    return bucket


def parse_tasks(event: dict) -> list[Task]:
    """The tasks of a Batch Operations event, keys URL-decoded; a malformed event raises BatchEventError."""
    version = event.get("invocationSchemaVersion")
    if version not in SCHEMA_VERSIONS:
        raise BatchEventError(f"invocationSchemaVersion {version!r} is not one of {', '.join(SCHEMA_VERSIONS)}")
    tasks = event.get("tasks")
    if not isinstance(tasks, list):
        raise BatchEventError("tasks is not a list")
    out = []
    for i, task in enumerate(tasks):
        if not isinstance(task, dict) or not task.get("taskId") or not task.get("s3Key"):
            raise BatchEventError(f"tasks[{i}] has no taskId or s3Key")
        version_id = task.get("s3VersionId") or None
        out.append(Task(task["taskId"], _bucket_of(task, version, i), unquote_plus(task["s3Key"]), version_id))
    return out


def user_arguments(event: dict) -> dict[str, str]:
    args = (event.get("job") or {}).get("userArguments") or {}
    return args if isinstance(args, dict) else {}


def config_for(config: Config, arguments: dict[str, str]) -> Config:
    """The function's config, pointed at ``userArguments.schemaVersion`` when the job names one."""
    wanted = arguments.get(SCHEMA_ARGUMENT)
    if wanted is None:
        return config
    try:
        version = int(wanted)
    except ValueError:
        raise BatchEventError(f"userArguments.{SCHEMA_ARGUMENT}={wanted!r} is not an integer") from None
    if version == config.schema_version:
        return config
    contract = load_contract(config.dataset, version)
    return dataclasses.replace(config, schema_version=contract.version, curated_prefix=contract.curated_prefix)


def is_retryable(exc: BaseException) -> bool:
    """Would retrying later help? Throttling, transient codes, 5xx/429 and connection errors (botocore's lists)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status in RETRYABLE_STATUS:
            return True
        context = RetryContext(attempt_number=1, parsed_response=response)
    else:
        context = RetryContext(attempt_number=1, caught_exception=exc)
    return any(checker.is_retryable(context) for checker in _CHECKERS)


def _reason(exc: BaseException) -> str:
    """``<S3 error code or exception type>: <message>``, cut to fit a completion report row."""
    response = getattr(exc, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return f"{code or type(exc).__name__}: {exc}"[:RESULT_STRING_LIMIT]


def _summary(record: dict) -> str:
    keys = ("records_in", "written", "quarantined", "unreadable", "curated_keys", "quarantine_key")
    text = json.dumps({k: record.get(k) for k in keys}, ensure_ascii=False, separators=(",", ":"))
    if len(text) > RESULT_STRING_LIMIT:
        short = {k: record.get(k) for k in keys[:4]} | {"curated_keys": len(record.get("curated_keys") or [])}
        text = json.dumps(short, separators=(",", ":"))
    return text


def run_task(task: Task, config: Config, process: Callable[[str, str, str | None], dict]) -> dict:
    """One task's result entry: ``process(bucket, key, version_id)`` classified into a Batch result code."""
    if task.bucket != config.raw_bucket:
        reason = (
            f"s3://{task.bucket}/{task.key}: not the raw bucket ({config.raw_bucket}); this function reads only raw"
        )
        return {"taskId": task.task_id, "resultCode": PERMANENT, "resultString": reason[:RESULT_STRING_LIMIT]}
    try:
        record = process(task.bucket, task.key, task.version_id)
    except Exception as exc:
        code = TEMPORARY if is_retryable(exc) else PERMANENT
        print(
            json.dumps({"message": "batch task failed", "task_id": task.task_id, "key": task.key,
                        "version_id": task.version_id, "result_code": code, "error": _reason(exc)}),
            flush=True,
        )  # fmt: skip
        return {"taskId": task.task_id, "resultCode": code, "resultString": _reason(exc)}
    return {"taskId": task.task_id, "resultCode": SUCCEEDED, "resultString": _summary(record)}


def handle(event: dict, config: Config, process: Callable[[Config, str, str, str | None], dict]) -> dict:
    """The Batch Operations response for ``event``; ``process(config, bucket, key, version_id)`` runs one object."""
    tasks = parse_tasks(event)
    try:
        task_config = config_for(config, user_arguments(event))
    except (BatchEventError, ContractError) as exc:
        reason = f"job userArguments: {exc}"[:RESULT_STRING_LIMIT]
        results = [{"taskId": t.task_id, "resultCode": PERMANENT, "resultString": reason} for t in tasks]
    else:
        results = [run_task(task, task_config, lambda b, k, v: process(task_config, b, k, v)) for task in tasks]
    return {
        "invocationSchemaVersion": event["invocationSchemaVersion"],
        "treatMissingKeysAs": PERMANENT,
        "invocationId": event.get("invocationId"),
        "results": results,
    }
