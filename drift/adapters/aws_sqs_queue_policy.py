from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter


@register
class SQSQueuePolicy(Adapter):
    type = "aws_sqs_queue_policy"
    service = "sqs"
    api = "sqs:GetQueueAttributes (Policy)"
    compares = "policy (IAM JSON equivalence)"
    policy_paths = ("policy",)

    def read(self, aws, resource):
        url = resource.attributes.get("queue_url") or resource.id
        live = call_or_none(aws.client("sqs").get_queue_attributes, QueueUrl=url, AttributeNames=["Policy"])
        if live is None or not live.get("Attributes", {}).get("Policy"):
            return None
        return {"policy": live["Attributes"]["Policy"]}
