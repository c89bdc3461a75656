"""Shared helpers for the handler tests (plain module, imported by path-relative import)."""

from __future__ import annotations

import json
import tempfile
import urllib.parse
from pathlib import Path

import pyarrow.parquet as pq

from contracts import load_contract
from handler.limits import Limits
from handler.plan import Plan
from handler.transform import transform

USERS = Plan.of(load_contract("users", 1))
TWEETS = Plan.of(load_contract("tweets", 1))


def user(i: int, **over) -> dict:
    rec = {
        "user": {
            "id": i,
            "email": f"u{i}@example.com",
            "name": f"Ünïcødé {i} 名前",
            "age": 20 + i % 50,
            "score": i / 3,
            "active": i % 2 == 0,
            "address": {"street": f"{i} Main St", "city": "Zürich", "zip": "8000", "country": "CH"},
            "signup_date": "2020-02-29",
        },
        "tags": ["a", "b"] if i % 3 else [],
        "account": {"balance": f"{i}.25"},
        "updated_at": f"2024-05-0{1 + i % 3}T10:{i % 60:02d}:00+0000",
    }
    rec.update(over)
    return rec


def ndjson(records) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


def run(
    data: bytes,
    plan: Plan = USERS,
    fast: bool = True,
    chunk_bytes: int = 1 << 20,
    key: str = "in/k.json",
    limits: Limits | None = None,
):
    """Transform ``data``; returns (staged, {dt: rows as pylist}, [quarantine lines], {dt: file bytes})."""
    with tempfile.TemporaryDirectory() as tmp:
        staged = transform([data], plan, Path(tmp), key, "v1", chunk_bytes=chunk_bytes, fast=fast, limits=limits)
        rows = {dt: pq.read_table(p).to_pylist() for dt, p in staged.partitions.items()}
        files = {dt: p.read_bytes() for dt, p in staged.partitions.items()}
        report = []
        if staged.quarantine_file:
            report = [json.loads(line) for line in staged.quarantine_file.read_text(encoding="utf-8").splitlines()]
    return staged, rows, report, files


def event_for(*objects):
    return {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": b}, "object": {"key": urllib.parse.quote_plus(k), "versionId": v}},
            }
            for b, k, v in objects
        ]
    }


def upload(s3, bucket, key, data):
    return s3.put_object(Bucket=bucket, Key=key, Body=data)["VersionId"]


def listing(s3, bucket):
    out = {}
    for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        out[obj["Key"]] = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
    return out
