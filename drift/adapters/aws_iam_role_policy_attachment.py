from __future__ import annotations

from drift.adapters import register
from drift.adapters.base import Adapter


@register
class IAMRolePolicyAttachment(Adapter):
    type = "aws_iam_role_policy_attachment"
    service = "iam"
    api = "iam:GetAccountAuthorizationDetails (shared with aws_iam_role)"
    compares = "existence of the attachment"

    def read(self, aws, resource):
        role_name = resource.attributes.get("role")
        arn = resource.attributes.get("policy_arn")
        role = aws.iam_roles().get(role_name)
        if role is None:
            return None
        if any(p["PolicyArn"] == arn for p in role.get("AttachedManagedPolicies", [])):
            return {"role": role_name, "policy_arn": arn}
        return None

    def import_id(self, resource):
        return f"{resource.attributes.get('role')}/{resource.attributes.get('policy_arn')}"
