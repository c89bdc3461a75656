from __future__ import annotations

from drift.adapters import register
from drift.adapters.base import Adapter

FIELDS = {
    "alarm_description": "AlarmDescription",
    "namespace": "Namespace",
    "metric_name": "MetricName",
    "statistic": "Statistic",
    "period": "Period",
    "evaluation_periods": "EvaluationPeriods",
    "comparison_operator": "ComparisonOperator",
    "threshold": "Threshold",
    "treat_missing_data": "TreatMissingData",
    "actions_enabled": "ActionsEnabled",
}
LISTS = {"alarm_actions": "AlarmActions", "ok_actions": "OKActions"}


@register
class CloudWatchMetricAlarm(Adapter):
    type = "aws_cloudwatch_metric_alarm"
    service = "cloudwatch"
    api = "cloudwatch:DescribeAlarms (by name)"
    compares = "metric, dimensions, statistic, period, threshold and comparison, description (runbook), actions"

    def read(self, aws, resource):
        name = resource.attributes.get("alarm_name") or resource.id
        found = aws.client("cloudwatch").describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"])
        alarms = [a for a in found.get("MetricAlarms", []) if a.get("AlarmName") == name]
        if not alarms:
            return None
        alarm = alarms[0]
        out = {attr: alarm.get(key) for attr, key in FIELDS.items() if key in alarm}
        out["alarm_name"] = name
        out["dimensions"] = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
        for attr, key in LISTS.items():
            out[attr] = list(alarm.get(key, []))
        return out

    def canonical(self, attributes):
        out = dict(attributes)
        for attr in LISTS:
            if isinstance(out.get(attr), list):
                out[attr] = sorted(out[attr])
        if isinstance(out.get("threshold"), int | float):
            out["threshold"] = float(out["threshold"])
        for attr in ("period", "evaluation_periods"):
            if isinstance(out.get(attr), float) and out[attr].is_integer():
                out[attr] = int(out[attr])
        return out
