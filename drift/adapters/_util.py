"""Small helpers shared by adapters (not adapters themselves)."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from drift.aws import is_missing


def tag_map(tags: object) -> dict:
    """AWS tag lists ([{Key, Value}] or [{key, value}]) or maps as a plain dict."""
    if isinstance(tags, dict):
        return dict(tags)
    out = {}
    for tag in tags or []:
        key = tag.get("Key", tag.get("key"))
        out[key] = tag.get("Value", tag.get("value"))
    return out


def json_value(text: object) -> object:
    """A JSON string parsed (for comparison of JSON-valued attributes that are not policies)."""
    if isinstance(text, str) and text.strip():
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text


def bucket_of(attributes: dict) -> str:
    return str(attributes.get("bucket") or str(attributes.get("id", "")).split(",")[0])


def call_or_none(fn, *missing_codes: str, **kwargs):
    """``fn(**kwargs)``, or None when AWS says the object (or its bucket) does not exist."""
    try:
        return fn(**kwargs)
    except ClientError as exc:
        if is_missing(exc, *missing_codes):
            return None
        raise


def managed_buckets(scope) -> list[tuple[str, object]]:
    """(bucket name, managed aws_s3_bucket resource) for every bucket a state manages."""
    return [(str(r.attributes.get("bucket") or r.id), r) for r in scope.of_type("aws_s3_bucket")]


def unmanaged_on_buckets(adapter, aws, scope, read_bucket, what: str, delete_command: str):
    """Sub-resources of type ``adapter.type`` hung by hand on a managed bucket that has no managed one of its own.

    ``read_bucket(aws, bucket)`` returns the sub-resource in the provider's attribute shape, or None when the bucket
    has none; ``delete_command`` is formatted with ``bucket``. The bucket list comes from ``aws.buckets()`` (one
    shared ListBuckets), so a deleted bucket costs no call.
    """
    from drift.model import Unmanaged

    managed = scope.values(adapter.type, "bucket")
    for bucket, parent in managed_buckets(scope):
        if bucket in managed or bucket not in aws.buckets():
            continue
        attributes = read_bucket(aws, bucket)
        if attributes is None:
            continue
        yield Unmanaged(
            type=adapter.type,
            id=bucket,
            attributes={"id": bucket, "bucket": bucket, **attributes},
            description=f"{what} on managed bucket {bucket} is in no state",
            delete_command=delete_command.format(bucket=bucket),
            parent=parent.address,
        )


def managed_functions(scope) -> list[tuple[str, object]]:
    """(function name, managed aws_lambda_function resource) for every function a state manages."""
    return [(str(r.attributes.get("function_name") or r.id), r) for r in scope.of_type("aws_lambda_function")]
