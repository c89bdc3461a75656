from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none, unmanaged_on_buckets
from drift.adapters.base import Adapter, Scope


def read_cors(aws, bucket: str) -> dict | None:
    live = call_or_none(aws.client("s3").get_bucket_cors, "NoSuchCORSConfiguration", Bucket=bucket)
    if live is None:
        return None
    return {
        "bucket": bucket,
        "cors_rule": [
            {
                "allowed_methods": sorted(rule.get("AllowedMethods", [])),
                "allowed_origins": sorted(rule.get("AllowedOrigins", [])),
                "allowed_headers": sorted(rule.get("AllowedHeaders", [])),
                "expose_headers": sorted(rule.get("ExposeHeaders", [])),
                "max_age_seconds": rule.get("MaxAgeSeconds", 0),
            }
            for rule in live.get("CORSRules", [])
        ],
    }


@register
class S3BucketCorsConfiguration(Adapter):
    type = "aws_s3_bucket_cors_configuration"
    service = "s3"
    api = "s3:GetBucketCORS (per managed bucket)"
    compares = "every cors_rule (methods, origins, headers, max age); unmanaged: CORS on a managed bucket"

    def read(self, aws, resource):
        return read_cors(aws, bucket_of(resource.attributes))

    def unmanaged(self, aws, scope: Scope):
        yield from unmanaged_on_buckets(
            self, aws, scope, read_cors, "a CORS configuration", "aws s3api delete-bucket-cors --bucket {bucket}"
        )
