from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter


@register
class SNSTopic(Adapter):
    type = "aws_sns_topic"
    service = "sns"
    api = "sns:GetTopicAttributes"
    compares = "name, display_name, kms_master_key_id (the alarm topic: deleted means no alarm reaches anyone)"

    def read(self, aws, resource):
        arn = resource.attributes.get("arn") or resource.id
        live = call_or_none(aws.client("sns").get_topic_attributes, TopicArn=arn)
        if live is None:
            return None
        attrs = live.get("Attributes", {})
        return {
            "name": arn.rsplit(":", 1)[-1],
            "display_name": attrs.get("DisplayName", ""),
            "kms_master_key_id": attrs.get("KmsMasterKeyId", ""),
        }
