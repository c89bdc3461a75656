from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter


@register
class LambdaEventInvokeConfig(Adapter):
    type = "aws_lambda_function_event_invoke_config"
    service = "lambda"
    api = "lambda:GetFunctionEventInvokeConfig"
    compares = "destination_config (on_failure, on_success), maximum_retry_attempts, maximum_event_age_in_seconds"

    def read(self, aws, resource):
        attrs = resource.attributes
        function = attrs.get("function_name")
        qualifier = attrs.get("qualifier") or None
        kwargs = {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}
        live = call_or_none(aws.client("lambda").get_function_event_invoke_config, **kwargs)
        if live is None:
            return None
        destinations = live.get("DestinationConfig", {})
        on_failure = destinations.get("OnFailure", {}).get("Destination")
        on_success = destinations.get("OnSuccess", {}).get("Destination")
        return {
            "function_name": function,
            "destination_config": [
                {
                    "on_failure": [{"destination": on_failure}] if on_failure else [],
                    "on_success": [{"destination": on_success}] if on_success else [],
                }
            ],
            "maximum_retry_attempts": live.get("MaximumRetryAttempts"),
            "maximum_event_age_in_seconds": live.get("MaximumEventAgeInSeconds"),
        }
