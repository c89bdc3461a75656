from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none, json_value
from drift.adapters.base import Adapter

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
    compares = "timeouts and sizes, kms_master_key_id, sqs_managed_sse_enabled, redrive_policy, policy"
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
        if resource.attributes.get("policy"):
            out["policy"] = attrs.get("Policy", "")
        return out

    def canonical(self, attributes):
        out = dict(attributes)
        if "redrive_policy" in out:
            out["redrive_policy"] = json_value(out["redrive_policy"])
        return out
