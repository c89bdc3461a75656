"""The handler's S3 Batch Operations contract: schema 1.0 and 2.0 events, one result code per task, the same output
as an S3 notification for the same object version, idempotent redelivery, TemporaryFailure for retryable errors."""

from __future__ import annotations

import sys
import urllib.parse
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from handler import app, batch
from handler.config import Config

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import event_for, listing, ndjson, upload, user

CONFIG = Config("the-raw", "the-curated", "dataset/users/schema=1", 1, "the-quarantine", "users")


def batch_event(version: str, tasks: list[tuple[str, str, str | None]], user_arguments: dict | None = None) -> dict:
    """The documented invocation event: 1.0 names the bucket by ARN, 2.0 by name and may carry userArguments."""
    job: dict = {"id": "f3cc4f60-61f6-4a2b-8a21-d07600c373ce"}
    if user_arguments is not None:
        job["userArguments"] = user_arguments
    out_tasks = []
    for i, (bucket, key, version_id) in enumerate(tasks):
        task = {"taskId": f"dGFza2lk{i}", "s3Key": urllib.parse.quote(key), "s3VersionId": version_id}
        if version == "1.0":
            task["s3BucketArn"] = f"arn:aws:s3:::{bucket}"
        else:
            task["s3Bucket"] = bucket
        out_tasks.append(task)
    return {
        "invocationSchemaVersion": version,
        "invocationId": "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
        "job": job,
        "tasks": out_tasks,
    }


# --------------------------------------------------------------------------- pure: parsing and classification


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_tasks_are_parsed_from_both_schema_versions_with_keys_decoded(version):
    event = batch_event(version, [("raw", "incoming/users/2024/05/01/a b+c ü.json", "v1"), ("raw", "k", None)])
    assert batch.is_batch_event(event)
    assert batch.parse_tasks(event) == [
        batch.Task("dGFza2lk0", "raw", "incoming/users/2024/05/01/a b+c ü.json", "v1"),
        batch.Task("dGFza2lk1", "raw", "k", None),
    ]


def test_an_s3_notification_is_not_a_batch_event_and_malformed_events_are_named():
    assert not batch.is_batch_event(event_for(("raw", "k", "v")))
    with pytest.raises(batch.BatchEventError, match=r"invocationSchemaVersion '3\.0'"):
        batch.parse_tasks({"invocationSchemaVersion": "3.0", "tasks": []})
    with pytest.raises(batch.BatchEventError, match=r"tasks\[0\]: s3BucketArn 'raw' is not an S3 bucket ARN"):
        batch.parse_tasks(
            {"invocationSchemaVersion": "1.0", "tasks": [{"taskId": "t", "s3Key": "k", "s3BucketArn": "raw"}]}
        )
    with pytest.raises(batch.BatchEventError, match=r"tasks\[0\]: schema 2.0 task has no s3Bucket"):
        batch.parse_tasks({"invocationSchemaVersion": "2.0", "tasks": [{"taskId": "t", "s3Key": "k"}]})
    with pytest.raises(batch.BatchEventError, match=r"tasks\[0\] has no taskId or s3Key"):
        batch.parse_tasks({"invocationSchemaVersion": "2.0", "tasks": [{"s3Key": "k", "s3Bucket": "b"}]})


def _client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize(
    ("exc", "retryable"),
    [
        (_client_error("SlowDown", 503), True),
        (_client_error("InternalError", 500), True),
        (_client_error("ServiceUnavailable", 503), True),
        (ClientError({"Error": {"Code": "Throttling"}}, "Op"), True),
        (ClientError({"Error": {"Code": "RequestTimeout"}}, "Op"), True),
        (EndpointConnectionError(endpoint_url="https://s3"), True),
        (ReadTimeoutError(endpoint_url="https://s3"), True),
        (_client_error("NoSuchKey", 404), False),
        (_client_error("NoSuchVersion", 404), False),
        (_client_error("AccessDenied", 403), False),
        (ValueError("bad contract"), False),
    ],
)
def test_retryable_errors_are_those_botocore_would_retry(exc, retryable):
    assert batch.is_retryable(exc) is retryable


def test_run_task_classifies_outcomes():
    task = batch.Task("t1", "the-raw", "incoming/users/x.json", "v1")

    def fails(exc):
        def process(*_):
            raise exc

        return process

    ok = batch.run_task(task, CONFIG, lambda b, k, v: {"records_in": 2, "written": 2, "quarantined": 0})
    assert ok["resultCode"] == "Succeeded" and '"records_in":2' in ok["resultString"]
    temporary = batch.run_task(task, CONFIG, fails(_client_error("SlowDown", 503)))
    assert temporary == {"taskId": "t1", "resultCode": "TemporaryFailure", "resultString": temporary["resultString"]}
    assert temporary["resultString"].startswith("SlowDown: ")
    permanent = batch.run_task(task, CONFIG, fails(_client_error("NoSuchKey", 404)))
    assert permanent["resultCode"] == "PermanentFailure" and permanent["resultString"].startswith("NoSuchKey: ")
    elsewhere = batch.run_task(batch.Task("t2", "other", "k", None), CONFIG, fails(AssertionError("not called")))
    assert elsewhere["resultCode"] == "PermanentFailure" and "not the raw bucket (the-raw)" in elsewhere["resultString"]
    long = batch.run_task(task, CONFIG, lambda b, k, v: {"curated_keys": ["x" * 200] * 50, "records_in": 1})
    assert len(long["resultString"]) <= batch.RESULT_STRING_LIMIT and '"curated_keys":50' in long["resultString"]


def test_user_arguments_pick_the_schema_version():
    assert batch.config_for(CONFIG, {}) is CONFIG
    assert batch.config_for(CONFIG, {"schemaVersion": "1"}) is CONFIG
    with pytest.raises(batch.BatchEventError, match="schemaVersion='two' is not an integer"):
        batch.config_for(CONFIG, {"schemaVersion": "two"})
    response = batch.handle(batch_event("2.0", [("the-raw", "k", None)], {"schemaVersion": "9"}), CONFIG, None)
    [result] = response["results"]
    assert result["resultCode"] == "PermanentFailure" and "v9.json: no such contract" in result["resultString"]


# --------------------------------------------------------------------------- against the local S3 endpoint


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_batch_task_writes_what_the_s3_notification_writes_and_redelivery_is_idempotent(lake, version):
    s3, b, calls = lake
    key = f"incoming/users/2024/05/01/batch me+now {version}.json"  # the two cases share buckets: own keys
    version_id = upload(s3, b["raw"], key, ndjson([user(i) for i in range(6)] + [b"{broken"]))
    event = batch_event(version, [(b["raw"], key, version_id)], {} if version == "2.0" else None)
    response = app.lambda_handler(event, None)
    assert set(response) == {"invocationSchemaVersion", "treatMissingKeysAs", "invocationId", "results"}
    assert response["invocationSchemaVersion"] == version
    assert response["invocationId"] == event["invocationId"]
    assert response["treatMissingKeysAs"] == "PermanentFailure"
    [result] = response["results"]
    assert result["taskId"] == "dGFza2lk0" and result["resultCode"] == "Succeeded"
    assert '"records_in":7,"written":6,"quarantined":1' in result["resultString"]
    stem = f"batch_me_now_{version}-"
    curated = {k: v for k, v in listing(s3, b["curated"]).items() if stem in k}
    quarantine = {k: v for k, v in listing(s3, b["quarantine"]).items() if stem in k}
    assert len(curated) == 3 and len(quarantine) == 1  # three dt partitions
    versions = len(s3.list_object_versions(Bucket=b["curated"]).get("Versions", []))
    # the S3 notification for the same object version names the same keys with the same bytes
    notified = app.lambda_handler(event_for((b["raw"], key, version_id)), None)["objects"][0]
    assert set(notified["writes"].values()) == {"unchanged"}
    assert sorted(notified["curated_keys"]) == sorted(curated) and notified["quarantine_key"] in quarantine
    # a redelivered task succeeds again and adds nothing
    again = app.lambda_handler(event, None)
    assert again["results"][0]["resultCode"] == "Succeeded"
    assert {k: v for k, v in listing(s3, b["curated"]).items() if stem in k} == curated
    assert {k: v for k, v in listing(s3, b["quarantine"]).items() if stem in k} == quarantine
    assert len(s3.list_object_versions(Bucket=b["curated"]).get("Versions", [])) == versions
    assert not [c for c in calls if c[0] in ("PutObject", "DeleteObject") and c[1] == b["raw"]]


def test_batch_of_s3_notification_outputs_match_when_the_notification_came_first(lake):
    s3, b, _ = lake
    key = "incoming/users/2024/05/01/first.json"
    version_id = upload(s3, b["raw"], key, ndjson([user(i) for i in range(4)]))
    app.lambda_handler(event_for((b["raw"], key, version_id)), None)
    before = listing(s3, b["curated"])
    response = app.lambda_handler(batch_event("1.0", [(b["raw"], key, version_id)]), None)
    assert response["results"][0]["resultCode"] == "Succeeded"
    assert listing(s3, b["curated"]) == before


class _Throttled:
    status_code = 503
    headers: dict = {}
    content = b""


def test_retryable_s3_error_becomes_temporary_failure_and_a_missing_object_permanent(lake):
    s3, b, _ = lake
    key = "incoming/users/2024/05/01/throttled.json"
    version_id = upload(s3, b["raw"], key, ndjson([user(1)]))
    client = app.default_s3_client()

    def slow_down(**_):  # S3 answers 503 SlowDown before the request reaches the endpoint
        return _Throttled(), {"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."},
                              "ResponseMetadata": {"HTTPStatusCode": 503}}  # fmt: skip

    client.meta.events.register("before-call.s3.GetObject", slow_down)
    try:
        response = app.lambda_handler(batch_event("2.0", [(b["raw"], key, version_id)]), None)
    finally:
        client.meta.events.unregister("before-call.s3.GetObject", slow_down)
    [result] = response["results"]
    assert result["resultCode"] == "TemporaryFailure" and result["resultString"].startswith("SlowDown: ")
    assert listing(s3, b["curated"]) == {}
    # the retry the job makes later succeeds
    assert app.lambda_handler(batch_event("2.0", [(b["raw"], key, version_id)]), None)["results"][0]["resultCode"] == (
        "Succeeded"
    )
    missing = app.lambda_handler(batch_event("1.0", [(b["raw"], "incoming/users/none.json", None)]), None)
    assert missing["results"][0]["resultCode"] == "PermanentFailure"
    assert missing["results"][0]["resultString"].startswith("NoSuchKey: ")


def test_one_result_per_task_in_order_when_tasks_disagree(lake):
    s3, b, _ = lake
    key = "incoming/users/2024/05/01/ok.json"
    version_id = upload(s3, b["raw"], key, ndjson([user(2)]))
    event = batch_event("2.0", [(b["raw"], key, version_id), ("elsewhere", key, None), (b["raw"], "nope.json", None)])
    codes = [r["resultCode"] for r in app.lambda_handler(event, None)["results"]]
    assert codes == ["Succeeded", "PermanentFailure", "PermanentFailure"]
