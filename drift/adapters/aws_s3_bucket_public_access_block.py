from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none
from drift.adapters.base import Adapter

FLAGS = {
    "block_public_acls": "BlockPublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "ignore_public_acls": "IgnorePublicAcls",
    "restrict_public_buckets": "RestrictPublicBuckets",
}


@register
class S3BucketPublicAccessBlock(Adapter):
    type = "aws_s3_bucket_public_access_block"
    service = "s3"
    api = "s3:GetBucketPublicAccessBlock"
    compares = "the four block/ignore/restrict flags; a removed block is deleted"

    def read(self, aws, resource):
        bucket = bucket_of(resource.attributes)
        live = call_or_none(
            aws.client("s3").get_public_access_block, "NoSuchPublicAccessBlockConfiguration", Bucket=bucket
        )
        if live is None:
            return None
        config = live.get("PublicAccessBlockConfiguration", {})
        return {"bucket": bucket, **{attr: bool(config.get(key, False)) for attr, key in FLAGS.items()}}
