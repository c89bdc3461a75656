from __future__ import annotations

from drift.adapters import register
from drift.adapters.aws_iam_role import policy_json
from drift.adapters.base import Adapter


@register
class IAMPolicy(Adapter):
    type = "aws_iam_policy"
    service = "iam"
    api = "iam:GetAccountAuthorizationDetails (once for all customer managed policies)"
    compares = "policy of the default version (IAM JSON equivalence), path"
    policy_paths = ("policy",)

    def read(self, aws, resource):
        arn = resource.attributes.get("arn") or resource.id
        policy = aws.iam_policies().get(arn)
        if policy is None:
            return None
        document = next((v["Document"] for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
        return {"policy": policy_json(document), "path": policy.get("Path")}
