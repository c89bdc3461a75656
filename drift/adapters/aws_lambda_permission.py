from __future__ import annotations

import json

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter


def _principal(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("Service") or value.get("AWS") or "")
    return str(value)


@register
class LambdaPermission(Adapter):
    type = "aws_lambda_permission"
    service = "lambda"
    api = "lambda:GetPolicy (once per function)"
    compares = "action, principal, source_arn, source_account of the statement"

    def read(self, aws, resource):
        attrs = resource.attributes
        function = attrs.get("function_name")
        qualifier = attrs.get("qualifier") or None

        def load():
            kwargs = {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}
            live = call_or_none(aws.client("lambda").get_policy, **kwargs)
            return json.loads(live["Policy"]) if live and live.get("Policy") else None

        policy = aws.cached(("lambda_policy", function, qualifier), load)
        if not policy:
            return None
        sid = attrs.get("statement_id") or resource.id
        for statement in policy.get("Statement", []):
            if statement.get("Sid") != sid:
                continue
            condition = statement.get("Condition", {})
            return {
                "statement_id": sid,
                "action": statement.get("Action"),
                "principal": _principal(statement.get("Principal")),
                "source_arn": condition.get("ArnLike", {}).get("AWS:SourceArn", ""),
                "source_account": condition.get("StringEquals", {}).get("AWS:SourceAccount", ""),
            }
        return None

    def import_id(self, resource):
        return f"{resource.attributes.get('function_name')}/{resource.attributes.get('statement_id')}"
