from __future__ import annotations

from botocore.exceptions import ClientError

from drift.adapters import register
from drift.adapters._util import call_or_none, tag_map
from drift.adapters.base import Adapter, Scope
from drift.aws import error_code, is_missing
from drift.model import Unmanaged


@register
class S3Bucket(Adapter):
    type = "aws_s3_bucket"
    service = "s3"
    api = "s3:GetBucketTagging, s3:ListAllMyBuckets (once), s3:GetBucketNotification (buckets without a notification resource)"
    compares = "existence, tags_all; unmanaged: buckets named <prefix>-*, notifications on a managed bucket that has no aws_s3_bucket_notification"

    def read(self, aws, resource):
        s3 = aws.client("s3")
        bucket = resource.attributes.get("bucket") or resource.id
        try:
            tags = s3.get_bucket_tagging(Bucket=bucket).get("TagSet", [])
        except ClientError as exc:
            if error_code(exc) == "NoSuchTagSet":  # exists, untagged
                tags = []
            elif is_missing(exc):
                return None
            else:
                raise
        return {"bucket": bucket, "tags_all": tag_map(tags)}

    def unmanaged(self, aws, scope: Scope):
        managed = scope.values(self.type, "bucket")
        if scope.name_prefix:
            for name in sorted(aws.buckets()):
                if name.startswith(f"{scope.name_prefix}-") and name not in managed:
                    yield Unmanaged(
                        type=self.type,
                        id=name,
                        attributes={"id": name, "bucket": name},
                        description=f"bucket {name} carries the lake's name prefix but no state manages it",
                        delete_command=f"aws s3 rb s3://{name}",
                    )
        with_notification = scope.values("aws_s3_bucket_notification", "bucket")
        s3 = aws.client("s3")
        for resource in scope.of_type(self.type):
            bucket = resource.attributes.get("bucket") or resource.id
            if bucket in with_notification or bucket not in aws.buckets():
                continue
            config = call_or_none(s3.get_bucket_notification_configuration, Bucket=bucket) or {}
            for kind in ("LambdaFunctionConfigurations", "QueueConfigurations", "TopicConfigurations"):
                for entry in config.get(kind, []):
                    ident = entry.get("Id", "?")
                    yield Unmanaged(
                        type="aws_s3_bucket_notification",
                        id=f"{bucket}/{ident}",
                        attributes={"id": bucket, "bucket": bucket, **_notification_attrs(kind, entry)},
                        description=f"notification {ident} on managed bucket {bucket} ({', '.join(entry.get('Events', []))})",
                        delete_command=f"aws s3api put-bucket-notification-configuration --bucket {bucket} "
                        "--notification-configuration '<the configuration without it>'",
                        parent=resource.address,
                    )


def _notification_attrs(kind: str, entry: dict) -> dict:
    from drift.adapters.aws_s3_bucket_notification import notification_block

    block_name = {
        "LambdaFunctionConfigurations": "lambda_function",
        "QueueConfigurations": "queue",
        "TopicConfigurations": "topic",
    }[kind]
    return {block_name: [notification_block(kind, entry)]}
