from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none, unmanaged_on_buckets
from drift.adapters.base import Adapter, Scope


def _grantee(grantee: dict) -> dict:
    return {
        "type": grantee.get("Type", ""),
        "id": grantee.get("ID", ""),
        "uri": grantee.get("URI", ""),
        "email_address": grantee.get("EmailAddress", ""),
    }


def read_acl(aws, bucket: str) -> dict | None:
    """The bucket's ACL; None when it grants nothing beyond the owner's FULL_CONTROL (every bucket has that one)."""
    live = call_or_none(aws.client("s3").get_bucket_acl, Bucket=bucket)
    if live is None:
        return None
    owner = live.get("Owner", {}).get("ID", "")
    grants = [
        {"grantee": [_grantee(g.get("Grantee", {}))], "permission": g.get("Permission")} for g in live.get("Grants", [])
    ]
    extra = [g for g in grants if not (g["grantee"][0]["id"] == owner and g["permission"] == "FULL_CONTROL")]
    if not extra:
        return None
    return {"bucket": bucket, "access_control_policy": [{"owner": [{"id": owner}], "grant": grants}]}


@register
class S3BucketAcl(Adapter):
    type = "aws_s3_bucket_acl"
    service = "s3"
    api = "s3:GetBucketAcl (per managed bucket)"
    compares = "the grants; unmanaged: any grant beyond the owner's FULL_CONTROL on a managed bucket"

    def read(self, aws, resource):
        return read_acl(aws, bucket_of(resource.attributes))

    def unmanaged(self, aws, scope: Scope):
        yield from unmanaged_on_buckets(
            self, aws, scope, read_acl, "an ACL grant", "aws s3api put-bucket-acl --bucket {bucket} --acl private"
        )
