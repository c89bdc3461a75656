from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none, managed_functions
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


@register
class LambdaAlias(Adapter):
    type = "aws_lambda_alias"
    service = "lambda"
    api = "lambda:GetAlias; lambda:ListAliases (per managed function)"
    compares = "function_version, description; unmanaged: an alias on a managed function"

    def read(self, aws, resource):
        attrs = resource.attributes
        live = call_or_none(
            aws.client("lambda").get_alias, FunctionName=attrs.get("function_name"), Name=attrs.get("name")
        )
        if live is None:
            return None
        return {"function_version": live.get("FunctionVersion"), "description": live.get("Description", "")}

    def unmanaged(self, aws, scope: Scope):
        managed = {(r.attributes.get("function_name"), r.attributes.get("name")) for r in scope.of_type(self.type)}
        for function, parent in managed_functions(scope):
            if function not in aws.lambda_functions():
                continue
            pages = aws.client("lambda").get_paginator("list_aliases").paginate(FunctionName=function)
            for page in pages:
                for alias in page.get("Aliases", []):
                    if (function, alias["Name"]) in managed:
                        continue
                    yield Unmanaged(
                        type=self.type,
                        id=f"{function}:{alias['Name']}",
                        attributes={
                            "id": alias.get("AliasArn", ""),
                            "function_name": function,
                            "name": alias["Name"],
                            "function_version": alias.get("FunctionVersion"),
                        },
                        description=f"alias {alias['Name']} (version {alias.get('FunctionVersion')}) on managed "
                        f"function {function} is in no state",
                        delete_command=f"aws lambda delete-alias --function-name {function} --name {alias['Name']}",
                        parent=parent.address,
                    )
