"""`lake status`: judging is pure (unit), and on the local lake it is green after the demo's uploads, then red with
the reason once an event is left in the failure queue (e2e)."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from lake.cli import main
from lake.deploy import LocalLake
from lake.dispatcher import LocalDispatcher, s3_event
from lake.local_aws import LocalAWS
from lake.samples import demo_uploads
from lake.status import CrawlerStatus, DatasetStatus, Status, judge, render_table


def test_judge_names_each_thing_that_needs_a_person():
    status = Status(
        generated_at="2026-12-02T00:00:00Z",
        datasets=[
            DatasetStatus("users", "incoming/users/a.json", "t", "dt=2024-05-02", "t", 7200.0),
            DatasetStatus("tweets", "incoming/tweets/b.json", "t", None, None, None),
            DatasetStatus("orders", "incoming/orders/c.json", "t", "dt=2024-05-01", "t", 10.0),
        ],
        failure_queue="lake-etl-failures",
        failure_queue_messages=2,
        quarantine_24h={"users": 5},
        crawlers=[CrawlerStatus("c1", "READY", "FAILED", "AccessDenied"), CrawlerStatus("c2", "READY", "SUCCEEDED")],
        alarms_in_alarm=[{"name": "lake-failure-queue-depth", "reason": "Threshold Crossed"}],
    )
    problems = judge(status, max_lag=3600).problems
    assert problems == [
        "2 event(s) in the failure queue lake-etl-failures: fix the cause, then `lake replay --redrive`",
        "alarm lake-failure-queue-depth is in ALARM: Threshold Crossed",
        "crawler c1: last run failed (AccessDenied): `lake crawl`",
        "users: raw incoming/users/a.json is 7200 s newer than its newest curated output (more than 3600 s): is the ETL running?",
        "tweets: raw objects but nothing in curated: is the ETL running?",
    ]
    assert not status.healthy and "NEEDS A PERSON: 2 event(s)" in render_table(status)
    quiet = judge(Status("t", quarantine_24h={"users": 5}, crawlers=[CrawlerStatus("c", "READY")]))
    assert quiet.healthy and quiet.problems == []  # quarantine reports and a crawler that never ran are not alarms


@pytest.fixture(scope="module")
def fresh_lake(lake_artifacts, tmp_path_factory):
    """A lake of its own, as `lake demo` has: the shared one carries other tests' leftovers (failure-queue events)."""
    handler_zip, layer_zip = lake_artifacts
    with LocalAWS.start() as aws:
        lake = LocalLake(aws, tmp_path_factory.mktemp("status-lake"), handler_zip, layer_zip)
        lake.init()
        lake.apply()
        yield lake
        lake.close()


def _status(lake, tmp_path, *extra) -> tuple[int, str, str]:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(lake.outputs))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["status", "--endpoint", lake.aws.endpoint, "--outputs", str(outputs), *extra])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.e2e
def test_status_is_green_after_the_demo_uploads_then_red_with_an_event_in_the_failure_queue(fresh_lake, tmp_path):
    aws, out = fresh_lake.aws, fresh_lake.outputs
    raw = out["raw_bucket"]
    s3 = aws.client("s3")
    for upload in demo_uploads(50):
        s3.put_object(Bucket=raw, Key=upload.key, Body=upload.body)
    dispatcher = LocalDispatcher(aws, raw)
    with contextlib.redirect_stdout(io.StringIO()):
        invocations = dispatcher.poll_once()
    assert [inv.error for inv in invocations if not inv.ok] == []
    code, text, err = _status(fresh_lake, tmp_path, "--format", "json")
    assert code == 0, text + err
    green = json.loads(text)
    assert green["healthy"] and green["problems"] == [] and green["failure_queue_messages"] == 0
    by_name = {d["dataset"]: d for d in green["datasets"]}
    assert by_name["users"]["newest_partition"] == "dt=2024-05-03" and by_name["users"]["lag_seconds"] == 0.0
    assert by_name["tweets"]["newest_raw_key"] == "incoming/tweets/2014/08/31/search-dump.json"
    assert green["quarantine_24h"] == {"users": 2}  # the bad records and the unreadable file: shown, not alarming
    assert {c["name"] for c in green["crawlers"]} == set(out["crawlers"].values())
    assert green["alarms_in_alarm"] == []

    # an event the function cannot process (a version that does not exist) ends in the failure queue
    function = out["functions"]["users"]["name"]
    key = "incoming/users/2024/05/02/late-signups.json"
    event = s3_event(raw, key, "no-such-version", 1, '"e"', aws.region)
    with contextlib.redirect_stdout(io.StringIO()):
        assert not dispatcher.invoke(function, event, key, "no-such-version").ok
    sqs = aws.client("sqs")
    try:
        code, text, _ = _status(fresh_lake, tmp_path)
        assert code == 1
        assert "NEEDS A PERSON: 1 event(s) in the failure queue lake-local-etl-failures" in text
        assert "`lake replay --redrive`" in text
    finally:
        for message in sqs.receive_message(QueueUrl=out["failure_queue_url"], MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            sqs.delete_message(QueueUrl=out["failure_queue_url"], ReceiptHandle=message["ReceiptHandle"])
