from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none, managed_functions
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


def url_attributes(function: str, config: dict) -> dict:
    return {
        "function_name": function,
        "function_url": config.get("FunctionUrl", ""),
        "authorization_type": config.get("AuthType"),
        "qualifier": config.get("FunctionArn", "").split(f":function:{function}:")[-1]
        if f":function:{function}:" in config.get("FunctionArn", "")
        else "",
    }


@register
class LambdaFunctionUrl(Adapter):
    type = "aws_lambda_function_url"
    service = "lambda"
    api = "lambda:GetFunctionUrlConfig (per managed function)"
    compares = (
        "authorization_type; unmanaged: a function URL on a managed function (a URL on an alias needs the alias, "
        "which is reported on its own)"
    )

    def read(self, aws, resource):
        function = resource.attributes.get("function_name")
        qualifier = resource.attributes.get("qualifier") or None
        kwargs = {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}
        live = call_or_none(aws.client("lambda").get_function_url_config, **kwargs)
        return None if live is None else url_attributes(function, live)

    def unmanaged(self, aws, scope: Scope):
        managed = {
            (r.attributes.get("function_name"), r.attributes.get("qualifier") or "") for r in scope.of_type(self.type)
        }
        for function, parent in managed_functions(scope):
            if function not in aws.lambda_functions():
                continue
            # GetFunctionUrlConfig, not ListFunctionUrlConfigs: moto has only the former, and both cost one call
            live = call_or_none(aws.client("lambda").get_function_url_config, FunctionName=function)
            for config in [live] if live else []:
                attributes = url_attributes(function, config)
                if (function, attributes["qualifier"]) in managed:
                    continue
                yield Unmanaged(
                    type=self.type,
                    id=function + (f":{attributes['qualifier']}" if attributes["qualifier"] else ""),
                    attributes={"id": function, **attributes},
                    description=f"function URL {attributes['function_url']} (auth {attributes['authorization_type']}) "
                    f"on managed function {function} is in no state",
                    delete_command=f"aws lambda delete-function-url-config --function-name {function}",
                    parent=parent.address,
                )
