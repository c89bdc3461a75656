from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none
from drift.adapters.base import Adapter


@register
class S3BucketVersioning(Adapter):
    type = "aws_s3_bucket_versioning"
    service = "s3"
    api = "s3:GetBucketVersioning"
    compares = "versioning_configuration.status (absent = Disabled)"

    def read(self, aws, resource):
        bucket = bucket_of(resource.attributes)
        live = call_or_none(aws.client("s3").get_bucket_versioning, Bucket=bucket)
        if live is None:
            return None
        return {"bucket": bucket, "versioning_configuration": [{"status": live.get("Status") or "Disabled"}]}
