from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none, unmanaged_on_buckets
from drift.adapters.base import Adapter, Scope


def _rule(rule: dict) -> dict:
    expiration = rule.get("Expiration")
    noncurrent = rule.get("NoncurrentVersionExpiration")
    abort = rule.get("AbortIncompleteMultipartUpload")
    flt = rule.get("Filter", {})
    prefix = flt.get("Prefix", flt.get("And", {}).get("Prefix", rule.get("Prefix", "")))
    return {
        "id": rule.get("ID"),
        "status": rule.get("Status"),
        "expiration": [
            {
                "days": expiration.get("Days", 0),
                "expired_object_delete_marker": bool(expiration.get("ExpiredObjectDeleteMarker", False)),
            }
        ]
        if expiration
        else [],
        "noncurrent_version_expiration": [{"noncurrent_days": noncurrent.get("NoncurrentDays", 0)}]
        if noncurrent
        else [],
        "abort_incomplete_multipart_upload": [{"days_after_initiation": abort.get("DaysAfterInitiation", 0)}]
        if abort
        else [],
        "filter": [{"prefix": prefix}] if prefix else [],
        "transition": [
            {"days": t.get("Days", 0), "storage_class": t.get("StorageClass")} for t in rule.get("Transitions", [])
        ],
        "noncurrent_version_transition": [
            {"noncurrent_days": t.get("NoncurrentDays", 0), "storage_class": t.get("StorageClass")}
            for t in rule.get("NoncurrentVersionTransitions", [])
        ],
    }


def read_lifecycle(aws, bucket: str) -> dict | None:
    live = call_or_none(
        aws.client("s3").get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration", Bucket=bucket
    )
    if live is None:
        return None
    return {"bucket": bucket, "rule": [_rule(r) for r in live.get("Rules", [])]}


@register
class S3BucketLifecycleConfiguration(Adapter):
    type = "aws_s3_bucket_lifecycle_configuration"
    service = "s3"
    api = "s3:GetLifecycleConfiguration"
    compares = (
        "each rule by id: status, expiration, noncurrent_version_expiration, transitions, "
        "abort_incomplete_multipart_upload, filter prefix; unmanaged: a configuration on a managed bucket"
    )

    def read(self, aws, resource):
        return read_lifecycle(aws, bucket_of(resource.attributes))

    def unmanaged(self, aws, scope: Scope):
        yield from unmanaged_on_buckets(
            self,
            aws,
            scope,
            read_lifecycle,
            "a lifecycle configuration",
            "aws s3api delete-bucket-lifecycle --bucket {bucket}",
        )

    def canonical(self, attributes):
        out = dict(attributes)
        if isinstance(out.get("rule"), list):
            out["rule"] = sorted(out["rule"], key=lambda r: str(r.get("id")))
        return out
