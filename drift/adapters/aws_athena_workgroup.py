from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter


@register
class AthenaWorkgroup(Adapter):
    type = "aws_athena_workgroup"
    service = "athena"
    api = "athena:GetWorkGroup"
    compares = (
        "state, enforce_workgroup_configuration, bytes_scanned_cutoff_per_query, publish_cloudwatch_metrics_enabled, "
        "result location and encryption"
    )

    def read(self, aws, resource):
        name = resource.attributes.get("name") or resource.id
        live = call_or_none(aws.client("athena").get_work_group, WorkGroup=name)
        if live is None:
            return None
        group = live.get("WorkGroup", {})
        config = group.get("Configuration", {})
        result = config.get("ResultConfiguration", {})
        encryption = result.get("EncryptionConfiguration")
        return {
            "name": name,
            "state": group.get("State"),
            "configuration": [
                {
                    "enforce_workgroup_configuration": bool(config.get("EnforceWorkGroupConfiguration", False)),
                    "bytes_scanned_cutoff_per_query": config.get("BytesScannedCutoffPerQuery", 0),
                    "publish_cloudwatch_metrics_enabled": bool(config.get("PublishCloudWatchMetricsEnabled", False)),
                    "result_configuration": [
                        {
                            "output_location": result.get("OutputLocation", ""),
                            "encryption_configuration": [
                                {
                                    "encryption_option": encryption.get("EncryptionOption"),
                                    "kms_key_arn": encryption.get("KmsKey", ""),
                                }
                            ]
                            if encryption
                            else [],
                        }
                    ]
                    if result
                    else [],
                }
            ],
        }
