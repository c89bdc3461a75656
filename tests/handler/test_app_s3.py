"""The Lambda shell against moto S3: events, keys, redelivery, failures, no writes to raw."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from handler import app
from handler.config import Config

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import event_for, listing, ndjson, upload, user

WRITE_OPS = {"PutObject", "DeleteObject", "DeleteObjects", "CopyObject", "CreateMultipartUpload", "UploadPart",
             "CompleteMultipartUpload", "PutObjectTagging", "PutObjectAcl", "RestoreObject"}  # fmt: skip


def test_multi_record_event_with_awkward_keys_and_redelivery(lake):
    s3, b, calls = lake
    keys = ["incoming/users/2024/05/01/with space.json", "incoming/users/2024/05/01/a+b.json",
            "incoming/users/2024/05/01/ünïcødé 名前.json"]  # fmt: skip
    objs = []
    for i, key in enumerate(keys):
        data = ndjson([user(i * 10 + j) for j in range(5)] + ([b"{broken"] if i == 1 else []))
        objs.append((b["raw"], key, upload(s3, b["raw"], key, data)))
    result = app.lambda_handler(event_for(*objs), None)
    assert [r["key"] for r in result["objects"]] == keys
    for r in result["objects"]:
        assert r["records_in"] == r["written"] + r["quarantined"]
    assert [r["quarantined"] for r in result["objects"]] == [0, 1, 0]
    curated = listing(s3, b["curated"])
    assert curated and all(k.startswith("dataset/users/schema=1/dt=2024-05-0") for k in curated)
    rows = sum(pq.read_table(io.BytesIO(v)).num_rows for v in curated.values())
    assert rows == 15
    quarantine = listing(s3, b["quarantine"])
    assert list(quarantine) == [result["objects"][1]["quarantine_key"]]
    assert b'"raw_key": "incoming/users/2024/05/01/a+b.json"' in quarantine[result["objects"][1]["quarantine_key"]]
    # at-least-once delivery: the same event again changes nothing
    versions_before = s3.list_object_versions(Bucket=b["curated"]).get("Versions", [])
    again = app.lambda_handler(event_for(*objs), None)
    assert listing(s3, b["curated"]) == curated
    assert listing(s3, b["quarantine"]) == quarantine
    assert len(s3.list_object_versions(Bucket=b["curated"]).get("Versions", [])) == len(versions_before)
    assert all(set(r["writes"].values()) == {"unchanged"} for r in again["objects"])
    # the handler never writes to raw
    assert not [c for c in calls if c[0] in WRITE_OPS and c[1] == b["raw"]]
    assert ("GetObject", b["raw"]) in calls


def test_each_version_of_a_key_gets_its_own_output(lake):
    s3, b, _ = lake
    key = "incoming/users/2024/05/01/same.json"
    v1 = upload(s3, b["raw"], key, ndjson([user(1)]))
    v2 = upload(s3, b["raw"], key, ndjson([user(4)]))
    out1 = app.lambda_handler(event_for((b["raw"], key, v1)), None)["objects"][0]
    out2 = app.lambda_handler(event_for((b["raw"], key, v2)), None)["objects"][0]
    assert out1["curated_keys"] != out2["curated_keys"]


def test_unreadable_object_gets_one_quarantine_report(lake):
    s3, b, _ = lake
    key = "incoming/users/2024/05/01/empty.json"
    version = upload(s3, b["raw"], key, b"")
    out = app.lambda_handler(event_for((b["raw"], key, version)), None)["objects"][0]
    assert out["unreadable"] == "empty object: no JSON in it"
    report = listing(s3, b["quarantine"])
    assert list(report) == [out["quarantine_key"]] and out["quarantine_key"].startswith("users/schema=1/")
    assert b'"reason": "empty object: no JSON in it"' in report[out["quarantine_key"]]
    assert listing(s3, b["curated"]) == {}


def test_put_failure_mid_invocation_raises_and_leaves_no_curated_object(lake, monkeypatch):
    s3, b, _ = lake
    key = "incoming/users/2024/05/01/three-days.json"
    version = upload(s3, b["raw"], key, ndjson([user(i) for i in range(9)]))  # three dt partitions
    client = app.default_s3_client()
    real_put = client.put_object
    seen = []

    def flaky_put(**kwargs):
        if kwargs["Bucket"] == b["curated"]:
            seen.append(kwargs["Key"])
            if len(seen) == 2:
                from botocore.exceptions import ClientError

                raise ClientError({"Error": {"Code": "SlowDown", "Message": "throttled"}}, "PutObject")
        return real_put(**kwargs)

    monkeypatch.setattr(client, "put_object", flaky_put)
    with pytest.raises(Exception, match="SlowDown"):
        app.lambda_handler(event_for((b["raw"], key, version)), None)
    assert len(seen) == 2
    assert listing(s3, b["curated"]) == {}
    monkeypatch.setattr(client, "put_object", real_put)
    out = app.lambda_handler(event_for((b["raw"], key, version)), None)["objects"][0]
    assert len(listing(s3, b["curated"])) == 3 == len(out["curated_keys"])


def test_missing_raw_object_raises_for_retry(lake):
    _, b, _ = lake
    with pytest.raises(Exception, match=r"NoSuchKey|Not Found|404"):
        app.lambda_handler(event_for((b["raw"], "incoming/users/none.json", None)), None)


def test_event_from_another_bucket_or_source_is_refused(lake):
    _, _b, _ = lake
    with pytest.raises(app.EventError, match="other than RAW_BUCKET"):
        app.lambda_handler(event_for(("elsewhere", "incoming/users/x.json", None)), None)
    with pytest.raises(app.EventError, match="not an S3 event"):
        app.lambda_handler({"Records": [{"eventSource": "aws:sqs"}]}, None)


def test_process_object_targets_the_given_config(lake):
    s3, b, _ = lake
    key = "incoming/users/2024/05/01/replay.json"
    version = upload(s3, b["raw"], key, ndjson([user(1)]))
    config = Config(b["raw"], b["curated"], "replay/users/schema=1", 1, b["quarantine"], "users")
    out = app.process_object(app.default_s3_client(), config, b["raw"], key, version)
    assert out["curated_keys"][0].startswith("replay/users/schema=1/dt=2024-05-02/replay-")


def test_handler_code_has_no_bucket_names_or_lake_imports():
    root = Path(app.__file__).parent
    for path in root.glob("*.py"):
        if path.name in ("cli.py", "build.py"):
            continue
        text = path.read_text()
        assert "import lake" not in text and "from lake" not in text, path
        assert "pandas" not in text and "numpy" not in text, path
        assert "lake-local" not in text and "s3://" not in text.replace('f"s3://{', ""), path
