"""Deterministic output keys: the same raw key + versionId always name the same curated and quarantine objects."""

from __future__ import annotations

import hashlib
import posixpath
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SUFFIXES = (".gz", ".json", ".ndjson", ".jsonl")


def object_token(raw_key: str, version_id: str | None) -> str:
    """16 hex characters identifying one version of one raw object."""
    digest = hashlib.sha256(f"{raw_key}\n{version_id or 'null'}".encode()).hexdigest()
    return digest[:16]


def object_stem(raw_key: str) -> str:
    """A readable, S3-safe stem from the raw file name (``2024 data+v1.json.gz`` -> ``2024_data_v1``)."""
    name = posixpath.basename(raw_key)
    lowered = name.lower()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if lowered.endswith(suffix) and len(lowered) > len(suffix):
                name, lowered = name[: -len(suffix)], lowered[: -len(suffix)]
                changed = True
    stem = _UNSAFE.sub("_", name).strip("._-")[:80]
    return stem or "object"


def curated_key(curated_prefix: str, dt: str, raw_key: str, version_id: str | None) -> str:
    prefix = curated_prefix.strip("/")
    return f"{prefix}/dt={dt}/{object_stem(raw_key)}-{object_token(raw_key, version_id)}.parquet"


def quarantine_key(dataset: str, schema_version: int, raw_key: str, version_id: str | None) -> str:
    return f"{dataset}/schema={schema_version}/{object_stem(raw_key)}-{object_token(raw_key, version_id)}.errors.ndjson"
