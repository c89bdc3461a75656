from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none
from drift.adapters.base import Adapter


@register
class S3BucketObjectLockConfiguration(Adapter):
    type = "aws_s3_bucket_object_lock_configuration"
    service = "s3"
    api = "s3:GetBucketObjectLockConfiguration"
    compares = "object_lock_enabled, rule.default_retention (mode, days, years)"

    def read(self, aws, resource):
        bucket = bucket_of(resource.attributes)
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
