from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter


@register
class S3Object(Adapter):
    type = "aws_s3_object"
    service = "s3"
    api = "s3:GetObject (HEAD)"
    compares = "existence, etag, content_type"

    def read(self, aws, resource):
        attrs = resource.attributes
        live = call_or_none(aws.client("s3").head_object, Bucket=attrs.get("bucket"), Key=attrs.get("key"))
        if live is None:
            return None
        return {
            "bucket": attrs.get("bucket"),
            "key": attrs.get("key"),
            "etag": str(live.get("ETag", "")).strip('"'),
            "content_type": live.get("ContentType"),
        }

    def import_id(self, resource):
        return f"{resource.attributes.get('bucket')}/{resource.attributes.get('key')}"
