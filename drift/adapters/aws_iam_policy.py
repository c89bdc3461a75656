from __future__ import annotations

from drift.adapters import register
from drift.adapters.aws_iam_role import policy_json
from drift.adapters.base import Adapter, Scope
from drift.model import Unmanaged


@register
class IAMPolicy(Adapter):
    type = "aws_iam_policy"
    service = "iam"
    api = "iam:GetAccountAuthorizationDetails (once for all customer managed policies)"
    compares = "policy of the default version (IAM JSON equivalence), path; unmanaged: policies named <prefix>-*"
    policy_paths = ("policy",)

    def read(self, aws, resource):
        arn = resource.attributes.get("arn") or resource.id
        policy = aws.iam_policies().get(arn)
        if policy is None:
            return None
        return {"policy": default_document(policy), "path": policy.get("Path")}

    def unmanaged(self, aws, scope: Scope):
        if not scope.name_prefix:
            return
        managed = scope.values(self.type, "arn") | {r.id for r in scope.of_type(self.type)}
        for arn, policy in sorted(aws.iam_policies().items()):
            name = policy.get("PolicyName") or arn.rsplit("/", 1)[-1]  # moto's bulk read omits PolicyName
            if arn in managed or not name.startswith(f"{scope.name_prefix}-"):
                continue
            yield Unmanaged(
                type=self.type,
                id=arn,
                attributes={"id": arn, "arn": arn, "name": name, "policy": default_document(policy)},
                description=f"policy {name} carries the lake's name prefix but no state manages it",
                delete_command=f"aws iam delete-policy --policy-arn {arn} (detach it and delete old versions first)",
            )


def default_document(policy: dict) -> str:
    document = next((v["Document"] for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
    return policy_json(document)
