"""The handler tests' S3: a moto server per test module, fresh buckets and the function's environment per test."""

from __future__ import annotations

import pytest

from handler import app
from lake.local_aws import LocalAWS


@pytest.fixture(scope="module")
def aws():
    with LocalAWS.start() as local:
        yield local


@pytest.fixture
def lake(aws, monkeypatch, request):
    """Fresh buckets (versioned raw) and the function's environment for one test."""
    name = request.node.name.lower().replace("_", "-")[:30].strip("-")
    s3 = aws.client("s3")
    buckets = {kind: f"{name}-{kind}" for kind in ("raw", "curated", "quarantine")}
    for bucket in buckets.values():
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=buckets["raw"], VersioningConfiguration={"Status": "Enabled"})
    env = {
        "RAW_BUCKET": buckets["raw"],
        "CURATED_BUCKET": buckets["curated"],
        "CURATED_PREFIX": "dataset/users/schema=1",
        "SCHEMA_VERSION": "1",
        "QUARANTINE_BUCKET": buckets["quarantine"],
        "DATASET": "users",
        **aws.environment(),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    calls: list[tuple[str, str]] = []

    def record(params, model, **_):
        calls.append((model.name, params.get("Bucket", "")))

    client = app.default_s3_client()
    client.meta.events.register("provide-client-params.s3.*", record)
    yield s3, buckets, calls
    client.meta.events.unregister("provide-client-params.s3.*", record)
