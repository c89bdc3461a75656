from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter


@register
class SNSTopicSubscription(Adapter):
    type = "aws_sns_topic_subscription"
    service = "sns"
    api = "sns:GetSubscriptionAttributes"
    compares = "topic_arn, protocol, endpoint (who hears the lake's alarms)"

    def read(self, aws, resource):
        arn = resource.attributes.get("arn") or resource.id
        live = call_or_none(aws.client("sns").get_subscription_attributes, SubscriptionArn=arn)
        if live is None:
            return None
        attrs = live.get("Attributes", {})
        return {
            "topic_arn": attrs.get("TopicArn"),
            "protocol": attrs.get("Protocol"),
            "endpoint": attrs.get("Endpoint"),
        }
