from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none
from drift.adapters.base import Adapter


@register
class S3BucketEncryption(Adapter):
    type = "aws_s3_bucket_server_side_encryption_configuration"
    service = "s3"
    api = "s3:GetEncryptionConfiguration"
    compares = "rule: sse_algorithm, kms_master_key_id, bucket_key_enabled"

    def read(self, aws, resource):
        bucket = bucket_of(resource.attributes)
        live = call_or_none(
            aws.client("s3").get_bucket_encryption, "ServerSideEncryptionConfigurationNotFoundError", Bucket=bucket
        )
        if live is None:
            return None
        rules = []
        for rule in live.get("ServerSideEncryptionConfiguration", {}).get("Rules", []):
            default = rule.get("ApplyServerSideEncryptionByDefault", {})
            rules.append(
                {
                    "apply_server_side_encryption_by_default": [
                        {
                            "sse_algorithm": default.get("SSEAlgorithm"),
                            "kms_master_key_id": default.get("KMSMasterKeyID", ""),
                        }
                    ],
                    "bucket_key_enabled": bool(rule.get("BucketKeyEnabled", False)),
                }
            )
        return {"bucket": bucket, "rule": rules}
