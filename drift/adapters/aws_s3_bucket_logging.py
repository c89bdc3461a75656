from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none, unmanaged_on_buckets
from drift.adapters.base import Adapter, Scope


def read_logging(aws, bucket: str) -> dict | None:
    live = call_or_none(aws.client("s3").get_bucket_logging, Bucket=bucket)
    enabled = (live or {}).get("LoggingEnabled")
    if not enabled:
        return None
    return {
        "bucket": bucket,
        "target_bucket": enabled.get("TargetBucket"),
        "target_prefix": enabled.get("TargetPrefix", ""),
    }


@register
class S3BucketLogging(Adapter):
    type = "aws_s3_bucket_logging"
    service = "s3"
    api = "s3:GetBucketLogging (per managed bucket)"
    compares = "target_bucket, target_prefix; unmanaged: access logging on a managed bucket"

    def read(self, aws, resource):
        return read_logging(aws, bucket_of(resource.attributes))

    def unmanaged(self, aws, scope: Scope):
        yield from unmanaged_on_buckets(
            self,
            aws,
            scope,
            read_logging,
            "server access logging",
            "aws s3api put-bucket-logging --bucket {bucket} --bucket-logging-status '{{}}'",
        )
