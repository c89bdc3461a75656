from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


def filter_attributes(group: str, live: dict) -> dict:
    return {
        "log_group_name": group,
        "name": live.get("filterName"),
        "destination_arn": live.get("destinationArn", ""),
        "filter_pattern": live.get("filterPattern", ""),
        "role_arn": live.get("roleArn", ""),
    }


def group_filters(aws, group: str) -> list[dict]:
    live = call_or_none(aws.client("logs").describe_subscription_filters, logGroupName=group) or {}
    return [filter_attributes(group, f) for f in live.get("subscriptionFilters", [])]


@register
class CloudWatchLogSubscriptionFilter(Adapter):
    type = "aws_cloudwatch_log_subscription_filter"
    service = "logs"
    api = "logs:DescribeSubscriptionFilters (per managed log group)"
    compares = "destination_arn, filter_pattern, role_arn; unmanaged: a filter on a managed log group"

    def read(self, aws, resource):
        group, name = resource.attributes.get("log_group_name"), resource.attributes.get("name")
        found = next((f for f in group_filters(aws, group) if f["name"] == name), None)
        return None if found is None else {k: found[k] for k in ("destination_arn", "filter_pattern")}

    def unmanaged(self, aws, scope: Scope):
        managed = {(r.attributes.get("log_group_name"), r.attributes.get("name")) for r in scope.of_type(self.type)}
        for group_resource in scope.of_type("aws_cloudwatch_log_group"):
            group = str(group_resource.attributes.get("name") or group_resource.id)
            if group not in aws.log_groups(group):
                continue
            for found in group_filters(aws, group):
                if (group, found["name"]) in managed:
                    continue
                ident = f"{group}|{found['name']}"
                yield Unmanaged(
                    type=self.type,
                    id=ident,
                    attributes={"id": ident, **found},
                    description=f"subscription filter {found['name']} sends managed log group {group} to "
                    f"{found['destination_arn']} but is in no state",
                    delete_command=f"aws logs delete-subscription-filter --log-group-name {group} "
                    f"--filter-name {found['name']}",
                    parent=group_resource.address,
                )
