from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none, unmanaged_on_buckets
from drift.adapters.base import Adapter, Scope


def read_object_lock(aws, bucket: str) -> dict | None:
    live = call_or_none(
        aws.client("s3").get_object_lock_configuration, "ObjectLockConfigurationNotFoundError", Bucket=bucket
    )
    if live is None:
        return None
    config = live.get("ObjectLockConfiguration", {})
    retention = config.get("Rule", {}).get("DefaultRetention")
    rule = []
    if retention:
        rule = [
            {
                "default_retention": [
                    {
                        "mode": retention.get("Mode"),
                        "days": retention.get("Days", 0),
                        "years": retention.get("Years", 0),
                    }
                ]
            }
        ]
    return {"bucket": bucket, "object_lock_enabled": config.get("ObjectLockEnabled"), "rule": rule}


@register
class S3BucketObjectLockConfiguration(Adapter):
    type = "aws_s3_bucket_object_lock_configuration"
    service = "s3"
    api = "s3:GetBucketObjectLockConfiguration"
    compares = (
        "object_lock_enabled, rule.default_retention (mode, days, years); unmanaged: Object Lock on a managed bucket"
    )

    def read(self, aws, resource):
        return read_object_lock(aws, bucket_of(resource.attributes))

    def unmanaged(self, aws, scope: Scope):
        yield from unmanaged_on_buckets(
            self,
            aws,
            scope,
            read_object_lock,
            "an Object Lock configuration",
            "(Object Lock cannot be turned off: import it, aws_s3_bucket_object_lock_configuration)",
        )
