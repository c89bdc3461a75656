from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none
from drift.adapters.base import Adapter


@register
class S3BucketPolicy(Adapter):
    type = "aws_s3_bucket_policy"
    service = "s3"
    api = "s3:GetBucketPolicy"
    compares = "policy (IAM JSON equivalence)"
    policy_paths = ("policy",)

    def read(self, aws, resource):
        bucket = bucket_of(resource.attributes)
        live = call_or_none(aws.client("s3").get_bucket_policy, "NoSuchBucketPolicy", Bucket=bucket)
        if live is None:
            return None
        return {"bucket": bucket, "policy": live.get("Policy")}
