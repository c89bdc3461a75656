"""Normalisers: small pure transformations applied to both sides before they are diffed.

Each one removes one kind of false positive driftctl was known for:

- ``policy_document``: IAM / bucket / key policy JSON compared for equivalence (string vs list, order, whitespace,
  a missing ``Version``);
- ``tags_as_tags_all``: live tags are compared with ``tags_all`` (provider default tags included), never ``tags``;
- ``empty_as_none``: null, ``""``, ``[]`` and ``{}`` are the same value;
- ``project_onto``: only what the adapter read from AWS is compared (provider-computed fields the adapter does not
  read are never reported);
- ``sort_scalar_lists``: lists of plain values are sets in AWS (events, exclusions, actions).
"""

from __future__ import annotations

import json

_LIST_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def _as_sorted_list(value: object) -> object:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(set(value))
    return value


def _canonical_principal(value: object) -> object:
    if isinstance(value, dict):
        return {k: _as_sorted_list(v) for k, v in sorted(value.items())}
    return value  # "*"


def _canonical_condition(value: object) -> object:
    if not isinstance(value, dict):
        return value
    return {op: {k: _as_sorted_list(v) for k, v in sorted(body.items())} for op, body in sorted(value.items())}


def _canonical_statement(statement: dict) -> dict:
    out = {}
    for key, value in statement.items():
        if key in _LIST_KEYS:
            out[key] = _as_sorted_list(value)
        elif key in ("Principal", "NotPrincipal"):
            out[key] = _canonical_principal(value)
        elif key == "Condition":
            out[key] = _canonical_condition(value)
        elif key == "Sid" and not value:
            continue
        else:
            out[key] = value
    return out


def policy_document(value: object) -> object:
    """A policy JSON string (or parsed document) in one canonical form; anything unparsable is returned as is."""
    doc = value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            doc = json.loads(value)
        except json.JSONDecodeError:
            return value
    if not isinstance(doc, dict):
        return doc
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    canonical = [_canonical_statement(s) if isinstance(s, dict) else s for s in statements]
    canonical.sort(key=lambda s: json.dumps(s, sort_keys=True))
    out = {"Version": doc.get("Version", "2008-10-17"), "Statement": canonical}
    for key in sorted(doc):
        if key not in ("Version", "Statement"):
            out[key] = doc[key]
    return out


def empty_as_none(value: object) -> object:
    """Recursively turn every empty value into None, dropping empty dict keys and empty list items (a block
    whose every field is empty is the same as no block)."""
    if isinstance(value, dict):
        out = {k: empty_as_none(v) for k, v in value.items()}
        out = {k: v for k, v in out.items() if v is not None}
        return out or None
    if isinstance(value, list):
        items = [item for item in (empty_as_none(v) for v in value) if item is not None]
        return items or None
    if value == "":
        return None
    return value


def sort_scalar_lists(value: object) -> object:
    if isinstance(value, dict):
        return {k: sort_scalar_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [sort_scalar_lists(v) for v in value]
        if all(isinstance(v, (str, int, float, bool)) for v in items):
            return sorted(items, key=lambda v: (type(v).__name__, v))
        return items
    return value


def project_onto(state: object, live: object) -> object:
    """``state`` (resource attributes) reduced to the attributes ``live`` has.

    tfstate encodes nested blocks as lists of objects and map attributes (tags, parameters, environment variables)
    as plain objects: blocks are projected item by item (when both sides have as many), maps are compared whole.
    """
    if not (isinstance(state, dict) and isinstance(live, dict)):
        return state
    return {k: _project_value(state.get(k), v) for k, v in live.items()}


def _project_value(state: object, live: object) -> object:
    if isinstance(state, list) and isinstance(live, list) and len(state) == len(live):
        return [project_onto(s, v) if isinstance(s, dict) else s for s, v in zip(state, live, strict=True)]
    return state


def tags_as_tags_all(state: dict) -> dict:
    """State attributes with ``tags`` dropped: the live tags are compared with ``tags_all``."""
    out = dict(state)
    out.pop("tags", None)
    return out


def apply_policy_documents(attrs: dict, paths: tuple[str, ...]) -> dict:
    """Canonicalise the named top-level policy attributes (a dotted path reaches into single-item blocks)."""
    out = dict(attrs)
    for path in paths:
        head, _, rest = path.partition(".")
        if head not in out:
            continue
        if not rest:
            out[head] = policy_document(out[head])
        elif isinstance(out[head], list):
            out[head] = [
                apply_policy_documents(item, (rest,)) if isinstance(item, dict) else item for item in out[head]
            ]
    return out
