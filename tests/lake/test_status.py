"""`lake status`: judging is pure. On a deployed lake it is green, then red with the reason once an event is left in
the failure queue: tests/lake/test_local_lake_e2e.py (on the lake those tests share)."""

from __future__ import annotations

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
