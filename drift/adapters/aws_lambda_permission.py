from __future__ import annotations

import json

from drift.adapters import register
from drift.adapters._util import call_or_none, managed_functions
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


def _principal(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("Service") or value.get("AWS") or "")
    return str(value)


def _name(function: object) -> str:
    text = str(function or "")
    return text.split(":function:")[-1].split(":")[0] if ":function:" in text else text


def function_policy(aws, function: object, qualifier: str | None = None) -> dict | None:
    """A function's resource policy (one GetPolicy per function and qualifier for the whole scan)."""
    name = _name(function)

    def load():
        kwargs = {"FunctionName": name, **({"Qualifier": qualifier} if qualifier else {})}
        live = call_or_none(aws.client("lambda").get_policy, **kwargs)
        return json.loads(live["Policy"]) if live and live.get("Policy") else None

    return aws.cached(("lambda_policy", name, qualifier), load)


@register
class LambdaPermission(Adapter):
    type = "aws_lambda_permission"
    service = "lambda"
    api = "lambda:GetPolicy (once per function)"
    compares = (
        "action, principal, source_arn, source_account of the statement; unmanaged: a statement added to a "
        "managed function's resource policy"
    )

    def read(self, aws, resource):
        attrs = resource.attributes
        function = attrs.get("function_name")
        qualifier = attrs.get("qualifier") or None
        policy = function_policy(aws, function, qualifier)
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

    def unmanaged(self, aws, scope: Scope):
        managed = {
            (_name(r.attributes.get("function_name")), r.attributes.get("statement_id") or r.id)
            for r in scope.of_type(self.type)
        }
        for function, parent in managed_functions(scope):
            if function not in aws.lambda_functions():
                continue
            for statement in (function_policy(aws, function) or {}).get("Statement", []):
                sid = statement.get("Sid", "")
                if (function, sid) in managed:
                    continue
                condition = statement.get("Condition", {})
                principal = _principal(statement.get("Principal"))
                yield Unmanaged(
                    type=self.type,
                    id=f"{function}/{sid}",
                    attributes={
                        "id": sid,
                        "statement_id": sid,
                        "function_name": function,
                        "action": statement.get("Action"),
                        "principal": principal,
                        "source_arn": condition.get("ArnLike", {}).get("AWS:SourceArn", ""),
                        "source_account": condition.get("StringEquals", {}).get("AWS:SourceAccount", ""),
                    },
                    description=f"permission {sid} lets {principal} {statement.get('Action')} managed function "
                    f"{function} but is in no state",
                    delete_command=f"aws lambda remove-permission --function-name {function} --statement-id {sid}",
                    parent=parent.address,
                )
