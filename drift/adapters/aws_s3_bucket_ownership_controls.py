from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none
from drift.adapters.base import Adapter


@register
class S3BucketOwnershipControls(Adapter):
    type = "aws_s3_bucket_ownership_controls"
    service = "s3"
    api = "s3:GetBucketOwnershipControls"
    compares = "rule.object_ownership"

    def read(self, aws, resource):
        bucket = bucket_of(resource.attributes)
        live = call_or_none(
            aws.client("s3").get_bucket_ownership_controls, "OwnershipControlsNotFoundError", Bucket=bucket
        )
        if live is None:
            return None
        rules = live.get("OwnershipControls", {}).get("Rules", [])
        return {"bucket": bucket, "rule": [{"object_ownership": r.get("ObjectOwnership")} for r in rules]}
