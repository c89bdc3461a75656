from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter


@register
class LambdaLayerVersion(Adapter):
    type = "aws_lambda_layer_version"
    service = "lambda"
    api = "lambda:GetLayerVersion"
    compares = "existence, description, compatible_runtimes, compatible_architectures"

    def read(self, aws, resource):
        attrs = resource.attributes
        name = attrs.get("layer_name") or str(attrs.get("layer_arn", "")).rsplit(":", 1)[-1]
        live = call_or_none(aws.client("lambda").get_layer_version, LayerName=name, VersionNumber=int(attrs["version"]))
        if live is None:
            return None
        return {
            "description": live.get("Description", ""),
            "compatible_runtimes": live.get("CompatibleRuntimes", []),
            "compatible_architectures": live.get("CompatibleArchitectures", []),
        }
