from __future__ import annotations

from drift.adapters import register
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


def grant_attributes(key_id: str, grant: dict) -> dict:
    return {
        "key_id": key_id,
        "grant_id": grant.get("GrantId"),
        "name": grant.get("Name", ""),
        "grantee_principal": grant.get("GranteePrincipal", ""),
        "retiring_principal": grant.get("RetiringPrincipal", ""),
        "operations": sorted(grant.get("Operations", [])),
    }


def key_grants(aws, key_id: str) -> list[dict]:
    out: list[dict] = []
    for page in aws.client("kms").get_paginator("list_grants").paginate(KeyId=key_id):
        out.extend(page.get("Grants", []))
    return out


@register
class KMSGrant(Adapter):
    type = "aws_kms_grant"
    service = "kms"
    api = "kms:ListGrants (per managed key)"
    compares = "existence, grantee, operations; unmanaged: a grant on a managed key"

    def read(self, aws, resource):
        key_id = resource.attributes.get("key_id")
        grant_id = resource.attributes.get("grant_id")
        grant = next((g for g in key_grants(aws, key_id) if g.get("GrantId") == grant_id), None)
        if grant is None:
            return None
        attributes = grant_attributes(key_id, grant)
        return {k: attributes[k] for k in ("grantee_principal", "operations")}

    def unmanaged(self, aws, scope: Scope):
        managed = scope.values(self.type, "grant_id")
        for key in scope.of_type("aws_kms_key"):
            key_id = str(key.attributes.get("key_id") or key.id)
            for grant in key_grants(aws, key_id):
                if grant.get("GrantId") in managed:
                    continue
                attributes = grant_attributes(key_id, grant)
                yield Unmanaged(
                    type=self.type,
                    id=f"{key_id}:{attributes['grant_id']}",
                    attributes={"id": f"{key_id}:{attributes['grant_id']}", **attributes},
                    description=f"grant {attributes['name'] or attributes['grant_id']} lets "
                    f"{attributes['grantee_principal']} {', '.join(attributes['operations'])} with managed key {key_id}",
                    delete_command=f"aws kms revoke-grant --key-id {key_id} --grant-id {attributes['grant_id']}",
                    parent=key.address,
                )
