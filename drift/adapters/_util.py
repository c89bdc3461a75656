"""Small helpers shared by adapters (not adapters themselves)."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from drift.aws import is_missing


def tag_map(tags: object) -> dict:
    """AWS tag lists ([{Key, Value}] or [{key, value}]) or maps as a plain dict."""
    if isinstance(tags, dict):
        return dict(tags)
    out = {}
    for tag in tags or []:
        key = tag.get("Key", tag.get("key"))
        out[key] = tag.get("Value", tag.get("value"))
    return out


def json_value(text: object) -> object:
    """A JSON string parsed (for comparison of JSON-valued attributes that are not policies)."""
    if isinstance(text, str) and text.strip():
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text


def bucket_of(attributes: dict) -> str:
    return str(attributes.get("bucket") or str(attributes.get("id", "")).split(",")[0])


def call_or_none(fn, *missing_codes: str, **kwargs):
    """``fn(**kwargs)``, or None when AWS says the object (or its bucket) does not exist."""
    try:
        return fn(**kwargs)
    except ClientError as exc:
        if is_missing(exc, *missing_codes):
            return None
        raise
