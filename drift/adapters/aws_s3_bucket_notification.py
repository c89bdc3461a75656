from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import bucket_of, call_or_none
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged

KINDS = {
    "LambdaFunctionConfigurations": ("lambda_function", "lambda_function_arn", "LambdaFunctionArn"),
    "QueueConfigurations": ("queue", "queue_arn", "QueueArn"),
    "TopicConfigurations": ("topic", "topic_arn", "TopicArn"),
}


def notification_block(kind: str, entry: dict) -> dict:
    _block, arn_attr, arn_key = KINDS[kind]
    rules = {r["Name"].lower(): r["Value"] for r in entry.get("Filter", {}).get("Key", {}).get("FilterRules", [])}
    return {
        "id": entry.get("Id"),
        arn_attr: entry.get(arn_key),
        "events": list(entry.get("Events", [])),
        "filter_prefix": rules.get("prefix", ""),
        "filter_suffix": rules.get("suffix", ""),
    }


@register
class S3BucketNotification(Adapter):
    type = "aws_s3_bucket_notification"
    service = "s3"
    api = "s3:GetBucketNotification"
    compares = (
        "every lambda_function / queue / topic block by id (ARN, events, prefix, suffix); extra ones are unmanaged"
    )

    def _live(self, aws, bucket: str) -> dict | None:
        def load():
            return call_or_none(aws.client("s3").get_bucket_notification_configuration, Bucket=bucket)

        return aws.cached(("s3_notification", bucket), load)

    def read(self, aws, resource):
        bucket = bucket_of(resource.attributes)
        config = self._live(aws, bucket)
        if config is None:
            return None
        known = {b.get("id") for kind in KINDS.values() for b in resource.attributes.get(kind[0]) or []}
        out: dict = {"bucket": bucket}
        for kind, (block, _, _) in KINDS.items():
            entries = [notification_block(kind, e) for e in config.get(kind, [])]
            out[block] = [e for e in entries if e["id"] in known]
        if not any(out[block] for block, _, _ in KINDS.values()) and known:
            return None  # every managed notification removed: the configuration is gone
        return out

    def canonical(self, attributes):
        out = dict(attributes)
        for block, _, _ in KINDS.values():
            if isinstance(out.get(block), list):
                out[block] = sorted(out[block], key=lambda b: str(b.get("id")))
        return out

    def unmanaged(self, aws, scope: Scope):
        for resource in scope.of_type(self.type):
            bucket = bucket_of(resource.attributes)
            config = self._live(aws, bucket)
            if not config:
                continue
            known = {b.get("id") for kind in KINDS.values() for b in resource.attributes.get(kind[0]) or []}
            for kind, (block, _, _) in KINDS.items():
                for entry in config.get(kind, []):
                    if entry.get("Id") in known:
                        continue
                    ident = entry.get("Id", "?")
                    yield Unmanaged(
                        type=self.type,
                        id=f"{bucket}/{ident}",
                        attributes={"id": bucket, "bucket": bucket, block: [notification_block(kind, entry)]},
                        description=f"notification {ident} on managed bucket {bucket} "
                        f"({', '.join(entry.get('Events', []))}) is not in {resource.address}",
                        delete_command=f"aws s3api put-bucket-notification-configuration --bucket {bucket} "
                        "--notification-configuration '<the configuration without it>' (or add it to the "
                        f"{resource.address} block and apply)",
                        parent=resource.address,
                    )
