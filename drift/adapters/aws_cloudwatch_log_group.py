from __future__ import annotations

from drift.adapters import register
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


@register
class CloudWatchLogGroup(Adapter):
    type = "aws_cloudwatch_log_group"
    service = "logs"
    api = "logs:DescribeLogGroups (name as prefix)"
    compares = "retention_in_days (absent = 0, never expire), kms_key_id; unmanaged: groups named <prefix>-* or /aws/lambda/<prefix>-*"

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

    def unmanaged(self, aws, scope: Scope):
        if not scope.name_prefix:
            return
        managed = scope.values(self.type, "name")
        for prefix in (f"/aws/lambda/{scope.name_prefix}-", f"{scope.name_prefix}-"):
            for name, group in sorted(aws.log_groups(prefix).items()):
                if name in managed:
                    continue
                yield Unmanaged(
                    type=self.type,
                    id=name,
                    attributes={"id": name, "name": name, "retention_in_days": group.get("retentionInDays", 0)},
                    description=f"log group {name} carries the lake's name prefix but no state manages it",
                    delete_command=f"aws logs delete-log-group --log-group-name {name}",
                )
