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

    def canonical(self, attributes):
        out = dict(attributes)
        key = out.get("target_key_id")
        if isinstance(key, str) and key.startswith("arn:"):
            out["target_key_id"] = key.rsplit("/", 1)[-1]  # a key ARN or its id name the same key
        return out
