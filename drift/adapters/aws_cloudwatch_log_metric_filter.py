from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter

TRANSFORMATION = ("name", "namespace", "value")


@register
class CloudWatchLogMetricFilter(Adapter):
    type = "aws_cloudwatch_log_metric_filter"
    service = "logs"
    api = "logs:DescribeMetricFilters (log group, name as prefix)"
    compares = "log_group_name, pattern, metric_transformation (name, namespace, value): what feeds a crawler alarm"

    def read(self, aws, resource):
        attrs = resource.attributes
        name, group = attrs.get("name") or resource.id, attrs.get("log_group_name")
        live = call_or_none(aws.client("logs").describe_metric_filters, logGroupName=group, filterNamePrefix=name)
        filters = [f for f in (live or {}).get("metricFilters", []) if f.get("filterName") == name]
        if not filters:
            return None
        found = filters[0]
        return {
            "name": name,
            "log_group_name": found.get("logGroupName"),
            "pattern": found.get("filterPattern", ""),
            "metric_transformation": [
                {"name": t.get("metricName"), "namespace": t.get("metricNamespace"), "value": t.get("metricValue")}
                for t in found.get("metricTransformations", [])
            ],
        }

    def canonical(self, attributes):
        out = dict(attributes)
        blocks = out.get("metric_transformation")
        if isinstance(blocks, list):
            out["metric_transformation"] = [
                {k: b.get(k) for k in TRANSFORMATION} for b in blocks if isinstance(b, dict)
            ]
        return out
