from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


@register
class LambdaFunction(Adapter):
    type = "aws_lambda_function"
    service = "lambda"
    api = "lambda:GetFunction, lambda:ListFunctions (once, for unmanaged <prefix>-* functions)"
    compares = (
        "runtime, handler, role, memory_size, timeout, environment variables, layers, architectures, "
        "code_sha256 (the deployed code's SHA-256, when the state records it), tags_all"
    )

    def read(self, aws, resource):
        name = resource.attributes.get("function_name") or resource.id
        live = call_or_none(aws.client("lambda").get_function, FunctionName=name)
        if live is None:
            return None
        config = live.get("Configuration", {})
        return {
            "function_name": name,
            "runtime": config.get("Runtime"),
            "handler": config.get("Handler"),
            "role": config.get("Role"),
            "memory_size": config.get("MemorySize"),
            "timeout": config.get("Timeout"),
            "environment": [{"variables": config.get("Environment", {}).get("Variables", {})}],
            "layers": [layer["Arn"] for layer in config.get("Layers", [])],
            "architectures": config.get("Architectures", []),
            "tags_all": live.get("Tags", {}),
            # code uploaded by hand (UpdateFunctionCode); compared when the state records it (provider >= 5.x)
            **({"code_sha256": config.get("CodeSha256")} if resource.attributes.get("code_sha256") else {}),
        }

    def unmanaged(self, aws, scope: Scope):
        if not scope.name_prefix:
            return
        managed = scope.values(self.type, "function_name")
        for name in sorted(aws.lambda_functions()):
            if name.startswith(f"{scope.name_prefix}-") and name not in managed:
                yield Unmanaged(
                    type=self.type,
                    id=name,
                    attributes={"id": name, "function_name": name},
                    description=f"function {name} carries the lake's name prefix but no state manages it",
                    delete_command=f"aws lambda delete-function --function-name {name}",
                )
