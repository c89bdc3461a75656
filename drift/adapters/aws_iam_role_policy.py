from __future__ import annotations

from drift.adapters import register
from drift.adapters.aws_iam_role import policy_json
from drift.adapters.base import Adapter


@register
class IAMRolePolicy(Adapter):
    type = "aws_iam_role_policy"
    service = "iam"
    api = "iam:GetAccountAuthorizationDetails (shared with aws_iam_role)"
    compares = "policy (IAM JSON equivalence)"
    policy_paths = ("policy",)

    def read(self, aws, resource):
        role_name = resource.attributes.get("role")
        name = resource.attributes.get("name")
        role = aws.iam_roles().get(role_name)
        if role is None:
            return None
        for policy in role.get("RolePolicyList", []):
            if policy["PolicyName"] == name:
                return {"role": role_name, "name": name, "policy": policy_json(policy.get("PolicyDocument"))}
        return None
