from __future__ import annotations

from drift.adapters import register
from drift.adapters.base import Adapter


@register
class KMSAlias(Adapter):
    type = "aws_kms_alias"
    service = "kms"
    api = "kms:ListAliases (once)"
    compares = "target_key_id"

    def read(self, aws, resource):
        def load():
            out = {}
            for page in aws.client("kms").get_paginator("list_aliases").paginate():
                for alias in page.get("Aliases", []):
                    out[alias["AliasName"]] = alias
            return out

        alias = aws.cached("kms_aliases", load).get(resource.attributes.get("name") or resource.id)
        if alias is None:
            return None
        return {"target_key_id": alias.get("TargetKeyId")}
