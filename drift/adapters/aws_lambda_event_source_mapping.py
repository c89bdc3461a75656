from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none, managed_functions
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


def _function_name(arn: str) -> str:
    return arn.split(":function:")[-1].split(":")[0] if ":function:" in arn else arn


def mapping_attributes(mapping: dict) -> dict:
    return {
        "uuid": mapping.get("UUID"),
        "event_source_arn": mapping.get("EventSourceArn", ""),
        "function_name": _function_name(mapping.get("FunctionArn", "")),
        "enabled": mapping.get("State") not in ("Disabled", "Disabling"),
        "batch_size": mapping.get("BatchSize"),
    }


@register
class LambdaEventSourceMapping(Adapter):
    type = "aws_lambda_event_source_mapping"
    service = "lambda"
    api = "lambda:GetEventSourceMapping; lambda:ListEventSourceMappings (once, every function)"
    compares = "event_source_arn, enabled, batch_size; unmanaged: a mapping that invokes a managed function"

    def read(self, aws, resource):
        live = call_or_none(
            aws.client("lambda").get_event_source_mapping, UUID=resource.attributes.get("uuid") or resource.id
        )
        return None if live is None else {k: v for k, v in mapping_attributes(live).items() if k != "function_name"}

    def unmanaged(self, aws, scope: Scope):
        functions = dict(managed_functions(scope))
        if not functions:
            return
        managed = scope.values(self.type, "uuid") | {r.id for r in scope.of_type(self.type)}
        for page in aws.client("lambda").get_paginator("list_event_source_mappings").paginate():
            for mapping in page.get("EventSourceMappings", []):
                attributes = mapping_attributes(mapping)
                parent = functions.get(attributes["function_name"])
                if parent is None or attributes["uuid"] in managed:
                    continue
                yield Unmanaged(
                    type=self.type,
                    id=str(attributes["uuid"]),
                    attributes={"id": attributes["uuid"], **attributes},
                    description=f"event source mapping from {attributes['event_source_arn']} invokes managed function "
                    f"{attributes['function_name']} but is in no state",
                    delete_command=f"aws lambda delete-event-source-mapping --uuid {attributes['uuid']}",
                    parent=parent.address,
                )
