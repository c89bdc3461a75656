"""IAM policy documents: parse JSON (or the ``aws_iam_policy_document`` data source) into normalised statements."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from policies.model import Unknown, find_unknown


@dataclass(frozen=True)
class Statement:
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    resources: tuple[Any, ...] = ("*",)  # str patterns, or Unknown
    not_resources: tuple[Any, ...] | None = None
    principals: dict[str, tuple[str, ...]] | None = None
    not_principals: dict[str, tuple[str, ...]] | None = None
    conditions: dict[str, dict[str, tuple[str, ...]]] | None = None
    sid: str = ""

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"


def _as_tuple(value: Any) -> tuple:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(value)
    return (value,)


def parse_document(doc: Any, where: str) -> list[Statement] | Unknown:
    """Statements of a policy given as JSON text or a decoded dict; Unknown when it cannot be decided."""
    if isinstance(doc, Unknown):
        return doc
    if doc is None or doc == "":
        return []
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: policy is not valid JSON ({exc.msg})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{where}: policy must be a JSON object")
    unknown = find_unknown(doc)
    if unknown is not None:
        return unknown
    raw = doc.get("Statement", [])
    if isinstance(raw, dict):
        raw = [raw]
    out = []
    for st in raw:
        effect = st.get("Effect", "")
        if effect not in ("Allow", "Deny"):
            raise ValueError(f"{where}: statement {st.get('Sid', '')!r} has Effect {effect!r}")
        principals = st.get("Principal")
        not_principals = st.get("NotPrincipal")
        out.append(
            Statement(
                effect=effect,
                actions=_as_tuple(st.get("Action")),
                not_actions=_as_tuple(st["NotAction"]) if "NotAction" in st else None,
                resources=_as_tuple(st["Resource"]) if "Resource" in st else (() if "NotResource" in st else ("*",)),
                not_resources=_as_tuple(st["NotResource"]) if "NotResource" in st else None,
                principals=_principals(principals) if principals is not None else None,
                not_principals=_principals(not_principals) if not_principals is not None else None,
                conditions={
                    op: {k: _as_tuple(v) for k, v in kv.items()} for op, kv in (st.get("Condition") or {}).items()
                }
                or None,
                sid=st.get("Sid", ""),
            )
        )
    return out


def _principals(value: Any) -> dict[str, tuple[str, ...]]:
    if value == "*":
        return {"AWS": ("*",)}
    return {k: _as_tuple(v) for k, v in value.items()}


def render_policy_document(values: dict) -> str | Unknown:
    """The ``json`` of an ``aws_iam_policy_document`` data source from its arguments (HCL or plan values)."""
    unknown = find_unknown(values)
    if unknown is not None:
        return unknown
    statements: list[dict] = []
    for src in values.get("source_policy_documents") or []:
        statements.extend(json.loads(src).get("Statement", []))
    for block in values.get("statement") or []:
        st: dict[str, Any] = {}
        if block.get("sid"):
            st["Sid"] = block["sid"]
        st["Effect"] = block.get("effect") or "Allow"
        for key, name in (
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ):
            if block.get(key):
                st[name] = sorted(block[key]) if len(block[key]) > 1 else next(iter(block[key]))
        for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            if block.get(key):
                merged: dict[str, list] = {}
                for p in block[key]:
                    merged.setdefault(p["type"], []).extend(p.get("identifiers") or [])
                st[name] = {k: (v[0] if len(v) == 1 else sorted(v)) for k, v in merged.items()}
        if block.get("condition"):
            cond: dict[str, dict] = {}
            for c in block["condition"]:
                vals = c.get("values") or []
                cond.setdefault(c["test"], {})[c["variable"]] = vals[0] if len(vals) == 1 else list(vals)
            st["Condition"] = cond
        statements.append(st)
    for src in values.get("override_policy_documents") or []:
        statements.extend(json.loads(src).get("Statement", []))
    return json.dumps({"Version": values.get("version") or "2012-10-17", "Statement": statements})
