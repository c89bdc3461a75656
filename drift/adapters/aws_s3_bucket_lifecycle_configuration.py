from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none
from drift.adapters.base import Adapter


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
    }


@register
class S3BucketLifecycleConfiguration(Adapter):
    type = "aws_s3_bucket_lifecycle_configuration"
    service = "s3"
    api = "s3:GetLifecycleConfiguration"
    compares = "each rule by id: status, expiration, noncurrent_version_expiration, abort_incomplete_multipart_upload, filter prefix"

    def read(self, aws, resource):
        bucket = bucket_of(resource.attributes)
        live = call_or_none(
            aws.client("s3").get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration", Bucket=bucket
        )
        if live is None:
            return None
        return {"bucket": bucket, "rule": [_rule(r) for r in live.get("Rules", [])]}

    def canonical(self, attributes):
        out = dict(attributes)
        if isinstance(out.get("rule"), list):
            out["rule"] = sorted(out["rule"], key=lambda r: str(r.get("id")))
        return out
