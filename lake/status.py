"""``lake status``: one view of the lake's health, on the local lake or in AWS.

Per dataset the newest raw object, the newest curated partition and the lag between the two writes; the events
waiting in the failure queue; quarantine reports of the last 24 hours; each crawler's last run; the lake's alarms
in ALARM. ``collect`` reads (boto3 clients in, plain facts out), ``judge`` decides what needs a person (pure), the
renderers print a table or JSON. Exit 0 when nothing needs a person, 1 when something does.

Needs a person: an event in the failure queue, an alarm in ALARM, a crawler whose last run failed, raw data newer
than its curated output by more than ``max_lag``. Quarantine reports are shown, not judged: rejecting bad records
with a reason is the lake working.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from io import StringIO

DEFAULT_MAX_LAG = 3600.0
_DT = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")


@dataclass
class DatasetStatus:
    dataset: str
    newest_raw_key: str | None = None
    newest_raw_at: str | None = None
    newest_partition: str | None = None
    newest_curated_at: str | None = None
    lag_seconds: float | None = None  # raw written after its newest curated output by this much (0: caught up)


@dataclass
class CrawlerStatus:
    name: str
    state: str | None = None
    last_status: str | None = None  # SUCCEEDED | FAILED | CANCELLED | None (never ran)
    last_error: str | None = None
    last_start: str | None = None


@dataclass
class Status:
    generated_at: str
    datasets: list[DatasetStatus] = field(default_factory=list)
    failure_queue: str | None = None
    failure_queue_messages: int = 0
    quarantine_24h: dict[str, int] = field(default_factory=dict)
    crawlers: list[CrawlerStatus] = field(default_factory=list)
    alarms_in_alarm: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"healthy": self.healthy, **asdict(self)}


def _iso(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None if value is None else str(value)


def _objects(s3, bucket: str, prefix: str = ""):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        yield from page.get("Contents", [])


# --------------------------------------------------------------------------- reading


def dataset_status(s3, raw: str, curated: str, dataset: str, curated_prefix: str) -> DatasetStatus:
    out = DatasetStatus(dataset)
    newest_raw = max(_objects(s3, raw, f"incoming/{dataset}/"), key=lambda o: o["LastModified"], default=None)
    curated_objects = [o for o in _objects(s3, curated, curated_prefix.strip("/") + "/") if _DT.search(o["Key"])]
    if newest_raw:
        out.newest_raw_key, out.newest_raw_at = newest_raw["Key"], _iso(newest_raw["LastModified"])
    if curated_objects:
        out.newest_partition = "dt=" + max(_DT.search(o["Key"]).group(1) for o in curated_objects)
        newest_curated = max(o["LastModified"] for o in curated_objects)
        out.newest_curated_at = _iso(newest_curated)
        if newest_raw:
            out.lag_seconds = max(0.0, (newest_raw["LastModified"] - newest_curated).total_seconds())
    return out


def queue_depth(sqs, url: str) -> int:
    attrs = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attrs.get("ApproximateNumberOfMessages", 0)) + int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0))


def quarantine_recent(s3, bucket: str, since: dt.datetime) -> dict[str, int]:
    out: dict[str, int] = {}
    for obj in _objects(s3, bucket):
        if obj["LastModified"] >= since:
            dataset = obj["Key"].split("/", 1)[0]
            out[dataset] = out.get(dataset, 0) + 1
    return out


def crawler_status(glue, name: str) -> CrawlerStatus:
    crawler = glue.get_crawler(Name=name)["Crawler"]
    last = crawler.get("LastCrawl") or {}
    return CrawlerStatus(
        name, crawler.get("State"), last.get("Status"), last.get("ErrorMessage"), _iso(last.get("StartTime"))
    )


def alarms_in_alarm(cloudwatch, names: list[str]) -> list[dict]:
    out = []
    for i in range(0, len(names), 100):
        found = cloudwatch.describe_alarms(AlarmNames=names[i : i + 100])
        for alarm in found.get("MetricAlarms", []) + found.get("CompositeAlarms", []):
            if alarm.get("StateValue") == "ALARM":
                out.append({"name": alarm["AlarmName"], "reason": alarm.get("StateReason", "")})
    return out


def collect(clients, outputs: dict, now: dt.datetime | None = None) -> Status:
    """Read the lake's health through ``clients(service)`` (a callable returning a boto3 client)."""
    now = now or dt.datetime.now(dt.UTC)
    s3 = clients("s3")
    status = Status(generated_at=_iso(now))
    for dataset, fn in sorted((outputs.get("functions") or {}).items()):
        status.datasets.append(
            dataset_status(s3, outputs["raw_bucket"], outputs["curated_bucket"], dataset, fn["curated_prefix"])
        )
    if outputs.get("failure_queue_url"):
        status.failure_queue = outputs["failure_queue_url"].rsplit("/", 1)[-1]
        status.failure_queue_messages = queue_depth(clients("sqs"), outputs["failure_queue_url"])
    if outputs.get("quarantine_bucket"):
        status.quarantine_24h = quarantine_recent(s3, outputs["quarantine_bucket"], now - dt.timedelta(hours=24))
    glue = clients("glue") if outputs.get("crawlers") else None
    status.crawlers = [crawler_status(glue, name) for name in sorted((outputs.get("crawlers") or {}).values())]
    if outputs.get("alarm_names"):
        status.alarms_in_alarm = alarms_in_alarm(clients("cloudwatch"), list(outputs["alarm_names"]))
    return status


# --------------------------------------------------------------------------- judging and rendering


def judge(status: Status, max_lag: float = DEFAULT_MAX_LAG) -> Status:
    """Fill ``status.problems``: one line per thing that needs a person, with the runbook command."""
    problems = []
    if status.failure_queue_messages:
        problems.append(
            f"{status.failure_queue_messages} event(s) in the failure queue {status.failure_queue}: "
            "fix the cause, then `lake replay --redrive`"
        )
    for alarm in status.alarms_in_alarm:
        problems.append(f"alarm {alarm['name']} is in ALARM: {alarm['reason']}")
    for c in status.crawlers:
        if c.last_status == "FAILED":
            problems.append(f"crawler {c.name}: last run failed ({c.last_error or 'no message'}): `lake crawl`")
    for d in status.datasets:
        if d.lag_seconds is not None and d.lag_seconds > max_lag:
            problems.append(
                f"{d.dataset}: raw {d.newest_raw_key} is {d.lag_seconds:.0f} s newer than its newest curated output "
                f"(more than {max_lag:.0f} s): is the ETL running?"
            )
        elif d.newest_raw_key and d.newest_partition is None:
            problems.append(f"{d.dataset}: raw objects but nothing in curated: is the ETL running?")
    status.problems = problems
    return status


def render_json(status: Status) -> str:
    return json.dumps(status.to_dict(), indent=2) + "\n"


def render_table(status: Status, width: int = 140) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False)
    console.print(f"lake status {status.generated_at}: " + ("OK" if status.healthy else "NEEDS A PERSON"))
    table = Table("dataset", "newest raw", "newest curated partition", "lag", "quarantine reports (24 h)")
    for d in status.datasets:
        lag = "-" if d.lag_seconds is None else f"{d.lag_seconds:.0f} s"
        raw = f"{d.newest_raw_key} ({d.newest_raw_at})" if d.newest_raw_key else "-"
        partition = f"{d.newest_partition} ({d.newest_curated_at})" if d.newest_partition else "-"
        table.add_row(d.dataset, raw, partition, lag, str(status.quarantine_24h.get(d.dataset, 0)))
    console.print(table)
    console.print(f"failure queue {status.failure_queue or '-'}: {status.failure_queue_messages} event(s)")
    for c in status.crawlers:
        last = f"{c.last_status} at {c.last_start}" if c.last_status else "never ran"
        console.print(f"crawler {c.name}: {c.state or '-'}, last run {last}")
    console.print(f"alarms in ALARM: {len(status.alarms_in_alarm)}")
    for p in status.problems:
        console.print(f"NEEDS A PERSON: {p}")
    return buffer.getvalue()
