from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none, json_value
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged

INTS = {
    "visibility_timeout_seconds": "VisibilityTimeout",
    "message_retention_seconds": "MessageRetentionPeriod",
    "delay_seconds": "DelaySeconds",
    "max_message_size": "MaximumMessageSize",
    "receive_wait_time_seconds": "ReceiveMessageWaitTimeSeconds",
}


@register
class SQSQueue(Adapter):
    type = "aws_sqs_queue"
    service = "sqs"
    api = "sqs:GetQueueAttributes"
    compares = (
        "timeouts and sizes, kms_master_key_id, sqs_managed_sse_enabled, redrive_policy, policy (absent = empty); "
        "unmanaged: queues named <prefix>-*"
    )
    policy_paths = ("policy",)

    def read(self, aws, resource):
        url = resource.attributes.get("url") or resource.id
        live = call_or_none(aws.client("sqs").get_queue_attributes, QueueUrl=url, AttributeNames=["All"])
        if live is None:
            return None
        attrs = live.get("Attributes", {})
        out: dict = {attr: int(attrs[key]) for attr, key in INTS.items() if key in attrs}
        out["kms_master_key_id"] = attrs.get("KmsMasterKeyId", "")
        out["redrive_policy"] = json_value(attrs.get("RedrivePolicy", ""))
        if "SqsManagedSseEnabled" in attrs:
            out["sqs_managed_sse_enabled"] = attrs["SqsManagedSseEnabled"] == "true"
        out["policy"] = attrs.get("Policy", "")  # a policy added by hand to a queue without one is drift too
        return out

    def unmanaged(self, aws, scope: Scope):
        if not scope.name_prefix:
            return
        managed = scope.values(self.type, "url") | {r.id for r in scope.of_type(self.type)}
        live = aws.client("sqs").list_queues(QueueNamePrefix=f"{scope.name_prefix}-")
        for url in sorted(live.get("QueueUrls", [])):
            if url in managed:
                continue
            name = url.rsplit("/", 1)[-1]
            yield Unmanaged(
                type=self.type,
                id=name,
                attributes={"id": url, "url": url, "name": name},
                description=f"queue {name} carries the lake's name prefix but no state manages it",
                delete_command=f"aws sqs delete-queue --queue-url {url}",
            )

    def canonical(self, attributes):
        out = dict(attributes)
        if "redrive_policy" in out:
            out["redrive_policy"] = json_value(out["redrive_policy"])
        return out
