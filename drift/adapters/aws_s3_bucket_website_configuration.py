from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none, unmanaged_on_buckets
from drift.adapters.base import Adapter, Scope


def read_website(aws, bucket: str) -> dict | None:
    live = call_or_none(aws.client("s3").get_bucket_website, "NoSuchWebsiteConfiguration", Bucket=bucket)
    if live is None:
        return None
    redirect = live.get("RedirectAllRequestsTo")
    return {
        "bucket": bucket,
        "index_document": [{"suffix": live["IndexDocument"].get("Suffix")}] if live.get("IndexDocument") else [],
        "error_document": [{"key": live["ErrorDocument"].get("Key")}] if live.get("ErrorDocument") else [],
        "redirect_all_requests_to": [{"host_name": redirect.get("HostName"), "protocol": redirect.get("Protocol", "")}]
        if redirect
        else [],
    }


@register
class S3BucketWebsiteConfiguration(Adapter):
    type = "aws_s3_bucket_website_configuration"
    service = "s3"
    api = "s3:GetBucketWebsite (per managed bucket)"
    compares = "index and error documents, redirect; unmanaged: website hosting on a managed bucket"

    def read(self, aws, resource):
        return read_website(aws, bucket_of(resource.attributes))

    def unmanaged(self, aws, scope: Scope):
        yield from unmanaged_on_buckets(
            self, aws, scope, read_website, "website hosting", "aws s3api delete-bucket-website --bucket {bucket}"
        )
