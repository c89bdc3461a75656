from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter


@register
class LambdaLayerVersion(Adapter):
    type = "aws_lambda_layer_version"
    service = "lambda"
    api = "lambda:GetLayerVersionByArn"
    compares = "existence, compatible_runtimes, compatible_architectures"

    def read(self, aws, resource):
        arn = resource.attributes.get("arn") or resource.id
        live = call_or_none(aws.client("lambda").get_layer_version_by_arn, Arn=arn)
        if live is None:
            return None
        return {
            "compatible_runtimes": live.get("CompatibleRuntimes", []),
            "compatible_architectures": live.get("CompatibleArchitectures", []),
        }
