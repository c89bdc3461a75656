from __future__ import annotations

import json
from urllib.parse import unquote

from drift.adapters import register
from drift.adapters._util import tag_map
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


def policy_json(document: object) -> str:
    """A policy document as AWS returns it (dict, or URL-encoded JSON) as a JSON string."""
    if isinstance(document, str):
        return unquote(document)
    return json.dumps(document)


@register
class IAMRole(Adapter):
    type = "aws_iam_role"
    service = "iam"
    api = "iam:GetAccountAuthorizationDetails (once for all roles)"
    compares = (
        "assume_role_policy (JSON equivalence), path, permissions_boundary, tags_all (the bulk read carries no "
        "description or max_session_duration); unmanaged: inline policies and attachments added to a managed role, "
        "roles named <prefix>-*"
    )
    policy_paths = ("assume_role_policy",)
    model_only = frozenset({"inline_policy", "managed_policy_arns"})

    def read(self, aws, resource):
        name = resource.attributes.get("name") or resource.id
        role = aws.iam_roles().get(name)
        if role is None:
            return None
        return {
            "name": name,
            "assume_role_policy": policy_json(role.get("AssumeRolePolicyDocument")),
            "path": role.get("Path"),
            "permissions_boundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn", ""),
            "tags_all": tag_map(role.get("Tags")),
            "inline_policy": [
                {"name": p["PolicyName"], "policy": policy_json(p.get("PolicyDocument"))}
                for p in role.get("RolePolicyList", [])
            ],
            "managed_policy_arns": sorted(p["PolicyArn"] for p in role.get("AttachedManagedPolicies", [])),
        }

    def unmanaged(self, aws, scope: Scope):
        yield from self._prefixed(aws, scope)
        inline = {(r.attributes.get("role"), r.attributes.get("name")) for r in scope.of_type("aws_iam_role_policy")}
        attached = {
            (r.attributes.get("role"), r.attributes.get("policy_arn"))
            for r in scope.of_type("aws_iam_role_policy_attachment")
        }
        for resource in scope.of_type(self.type):
            name = resource.attributes.get("name") or resource.id
            # what the state itself recorded on the role at the last apply/refresh counts as managed too
            for block in resource.attributes.get("inline_policy") or []:
                if block.get("name"):
                    inline.add((name, block["name"]))
            for arn in resource.attributes.get("managed_policy_arns") or []:
                attached.add((name, arn))
            role = aws.iam_roles().get(name)
            if role is None:
                continue
            for policy in role.get("RolePolicyList", []):
                if (name, policy["PolicyName"]) in inline:
                    continue
                yield Unmanaged(
                    type="aws_iam_role_policy",
                    id=f"{name}:{policy['PolicyName']}",
                    attributes={
                        "id": f"{name}:{policy['PolicyName']}",
                        "role": name,
                        "name": policy["PolicyName"],
                        "policy": policy_json(policy.get("PolicyDocument")),
                    },
                    description=f"inline policy {policy['PolicyName']} added to managed role {name}",
                    delete_command=f"aws iam delete-role-policy --role-name {name} --policy-name {policy['PolicyName']}",
                    parent=resource.address,
                )
            for policy in role.get("AttachedManagedPolicies", []):
                if (name, policy["PolicyArn"]) in attached:
                    continue
                yield Unmanaged(
                    type="aws_iam_role_policy_attachment",
                    id=f"{name}/{policy['PolicyArn']}",
                    attributes={
                        "id": f"{name}-{policy['PolicyName']}",
                        "role": name,
                        "policy_arn": policy["PolicyArn"],
                    },
                    description=f"managed policy {policy['PolicyName']} attached to managed role {name}",
                    delete_command=f"aws iam detach-role-policy --role-name {name} --policy-arn {policy['PolicyArn']}",
                    parent=resource.address,
                )

    def _prefixed(self, aws, scope: Scope):
        """Roles named with the lake's prefix that no state manages, with their policies (judged as if managed)."""
        if not scope.name_prefix:
            return
        managed = scope.values(self.type, "name")
        for name, role in sorted(aws.iam_roles().items()):
            if not name.startswith(f"{scope.name_prefix}-") or name in managed:
                continue
            yield Unmanaged(
                type=self.type,
                id=name,
                attributes={
                    "id": name,
                    "name": name,
                    "arn": role.get("Arn", ""),
                    "assume_role_policy": policy_json(role.get("AssumeRolePolicyDocument")),
                    "inline_policy": [
                        {"name": p["PolicyName"], "policy": policy_json(p.get("PolicyDocument"))}
                        for p in role.get("RolePolicyList", [])
                    ],
                    "managed_policy_arns": sorted(p["PolicyArn"] for p in role.get("AttachedManagedPolicies", [])),
                },
                description=f"role {name} carries the lake's name prefix but no state manages it",
                delete_command=f"aws iam delete-role --role-name {name} (detach and delete its policies first)",
            )
