from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


@register
class AthenaWorkgroup(Adapter):
    type = "aws_athena_workgroup"
    service = "athena"
    api = "athena:GetWorkGroup"
    compares = (
        "state, enforce_workgroup_configuration, bytes_scanned_cutoff_per_query, publish_cloudwatch_metrics_enabled, "
        "result location and encryption; unmanaged: workgroups named <prefix>-* (read with GetWorkGroup to be judged)"
    )

    def read(self, aws, resource):
        name = resource.attributes.get("name") or resource.id
        live = call_or_none(aws.client("athena").get_work_group, WorkGroup=name)
        if live is None:
            return None
        return workgroup_attributes(name, live.get("WorkGroup", {}))

    def unmanaged(self, aws, scope: Scope):
        if not scope.name_prefix:
            return
        managed = scope.values(self.type, "name")
        athena = aws.client("athena")
        for name in _workgroup_names(athena):
            if name in managed or not name.startswith(f"{scope.name_prefix}-"):
                continue
            live = call_or_none(athena.get_work_group, WorkGroup=name)
            if live is None:
                continue
            yield Unmanaged(
                type=self.type,
                id=name,
                attributes={"id": name, **workgroup_attributes(name, live.get("WorkGroup", {}))},
                description=f"workgroup {name} carries the lake's name prefix but no state manages it",
                delete_command=f"aws athena delete-work-group --work-group {name} --recursive-delete-option",
            )


def _workgroup_names(athena) -> list[str]:
    """Every workgroup's name (ListWorkGroups has no boto3 paginator: follow NextToken by hand)."""
    names: list[str] = []
    kwargs: dict = {}
    while True:
        page = athena.list_work_groups(**kwargs)
        names += [w.get("Name", "") for w in page.get("WorkGroups", [])]
        if not page.get("NextToken"):
            return names
        kwargs = {"NextToken": page["NextToken"]}


def workgroup_attributes(name: str, group: dict) -> dict:
    """A ``WorkGroup`` as ``aws_athena_workgroup`` attributes (the compared subset)."""
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
