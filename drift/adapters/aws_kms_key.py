from __future__ import annotations

from drift.adapters import register
from drift.adapters._util import call_or_none
from drift.adapters.base import Adapter


@register
class KMSKey(Adapter):
    type = "aws_kms_key"
    service = "kms"
    api = "kms:DescribeKey, kms:GetKeyRotationStatus, kms:GetKeyPolicy"
    compares = "enabled state (pending deletion = deleted), key_usage, description, enable_key_rotation, policy"
    policy_paths = ("policy",)

    def read(self, aws, resource):
        kms = aws.client("kms")
        key_id = resource.attributes.get("key_id") or resource.id
        live = call_or_none(kms.describe_key, KeyId=key_id)
        if live is None:
            return None
        meta = live.get("KeyMetadata", {})
        if meta.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
            return None
        rotation = kms.get_key_rotation_status(KeyId=key_id).get("KeyRotationEnabled", False)
        out = {
            "description": meta.get("Description", ""),
            "key_usage": meta.get("KeyUsage"),
            "is_enabled": meta.get("Enabled"),
            "enable_key_rotation": bool(rotation),
        }
        if resource.attributes.get("policy"):
            out["policy"] = kms.get_key_policy(KeyId=key_id, PolicyName="default").get("Policy")
        return out
