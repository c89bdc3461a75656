from __future__ import annotations

from drift.adapters import register
from drift.adapters.base import Adapter


@register
class CloudWatchLogGroup(Adapter):
    type = "aws_cloudwatch_log_group"
    service = "logs"
    api = "logs:DescribeLogGroups (name as prefix)"
    compares = "retention_in_days (absent = 0, never expire), kms_key_id"

    def read(self, aws, resource):
        name = resource.attributes.get("name") or resource.id
        group = aws.log_groups(name).get(name)
        if group is None:
            return None
        return {
            "name": name,
            "retention_in_days": group.get("retentionInDays", 0),
            "kms_key_id": group.get("kmsKeyId", ""),
        }
