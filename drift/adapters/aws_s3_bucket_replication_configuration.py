from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none, unmanaged_on_buckets
from drift.adapters.base import Adapter, Scope


def read_replication(aws, bucket: str) -> dict | None:
    live = call_or_none(aws.client("s3").get_bucket_replication, "ReplicationConfigurationNotFoundError", Bucket=bucket)
    if live is None:
        return None
    config = live.get("ReplicationConfiguration", {})
    return {
        "bucket": bucket,
        "role": config.get("Role", ""),
        "rule": [
            {
                "id": rule.get("ID", ""),
                "status": rule.get("Status"),
                "destination": [
                    {
                        "bucket": rule.get("Destination", {}).get("Bucket", ""),
                        "account": rule.get("Destination", {}).get("Account", ""),
                        "storage_class": rule.get("Destination", {}).get("StorageClass", ""),
                    }
                ],
            }
            for rule in config.get("Rules", [])
        ],
    }


@register
class S3BucketReplicationConfiguration(Adapter):
    type = "aws_s3_bucket_replication_configuration"
    service = "s3"
    api = "s3:GetReplicationConfiguration (per managed bucket)"
    compares = "role, each rule's status and destination bucket; unmanaged: a replication on a managed bucket"

    def read(self, aws, resource):
        return read_replication(aws, bucket_of(resource.attributes))

    def canonical(self, attributes):
        out = dict(attributes)
        if isinstance(out.get("rule"), list):
            out["rule"] = sorted(out["rule"], key=lambda r: str(r.get("id")))
        return out

    def unmanaged(self, aws, scope: Scope):
        yield from unmanaged_on_buckets(
            self, aws, scope, read_replication, "a replication", "aws s3api delete-bucket-replication --bucket {bucket}"
        )
