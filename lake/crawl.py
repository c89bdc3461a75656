"""``lake crawl``: the Glue crawlers, run on this machine as AWS would run them (moto stores crawlers, never runs them).

The crawler definitions are read back from the local Glue. For each crawler's catalog target (a declared table):

- the table's location is listed and each ``dt=`` folder holding Parquet with no registered partition is registered
  with ``BatchCreatePartition`` (100 a call, AWS's limit), its storage inherited from the table
  (``CrawlerOutput.Partitions.AddOrUpdateBehavior = InheritFromTable``); a projection-mode table gets none (Athena
  enumerates its partitions), its crawler only reports schema changes;
- each new file's Parquet schema is compared with the table's columns and every difference is logged, never
  applied (``schema_change_policy.update_behavior = LOG``);
- log events go to the crawler log group (``/aws-glue/crawlers``, one stream per crawler, as Glue writes them), and
  a run summary (partitions added, schema differences, duration) is printed and kept with ``GetCrawlerMetrics``-like
  figures in a metrics file.

A crawler with S3 targets is not run: in AWS it would create tables of its own instead of adopting the declared one
(CRAWLER-SCOPE); the summary says so.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from lake.catalog import TableSpec, dt_folders, partition_input, table_spec
from lake.errors import LakeError

CRAWLER_LOG_GROUP = "/aws-glue/crawlers"
BATCH_CREATE_LIMIT = 100  # BatchCreatePartition takes at most 100 partitions a call


class CrawlError(LakeError):
    """A crawler cannot be run (missing crawler, table or data)."""


# --------------------------------------------------------------------------- pure: targets, schema differences


@dataclass(frozen=True)
class Target:
    crawler: str
    database: str
    table: str


def catalog_targets(crawlers: Iterable[dict]) -> tuple[list[Target], list[str]]:
    """The (crawler, database, table) each crawler's catalog targets name, and the crawlers that cannot be run here
    (S3 or other targets), each with the reason."""
    targets, skipped = [], []
    for c in crawlers:
        t = c.get("Targets") or {}
        others = [k for k, v in t.items() if k != "CatalogTargets" and v]
        if others:
            skipped.append(
                f"{c['Name']}: has {', '.join(others)}: an S3-target crawler creates its own tables instead of "
                "adopting the declared one (CRAWLER-SCOPE); not run"
            )
            continue
        for ct in t.get("CatalogTargets") or []:
            targets.extend(Target(c["Name"], ct["DatabaseName"], table) for table in ct.get("Tables", []))
    return targets, skipped


def schema_differences(spec: TableSpec, path: str, actual: pa.Schema) -> list[str]:
    """Every way a Parquet file's schema differs from the table's columns (the crawler logs these, never applies)."""
    from lake.query import compatible, table_schema

    expected = table_schema(spec)
    out = []
    for f in expected:
        idx = actual.get_field_index(f.name)
        if idx < 0:
            out.append(f"s3://{path}: column {f.name!r} of the table is missing from the file")
        elif not compatible(f.type, actual.field(idx).type):
            athena = next(c.athena_type for c in spec.columns if c.name == f.name)
            out.append(
                f"s3://{path}: column {f.name!r} is {athena} in the table but {actual.field(idx).type} in the file"
            )
    declared = set(expected.names) | {k.name for k in spec.partition_keys}
    out.extend(
        f"s3://{path}: column {n!r} is in the file but not in the table" for n in actual.names if n not in declared
    )
    return out


@dataclass
class CrawlSummary:
    """One crawler run: what it added and found, in the figures ``GetCrawlerMetrics`` reports (and a few more)."""

    crawler: str
    table: str
    mode: str  # crawler | projection
    started: str
    duration_s: float = 0.0
    partitions_added: list[str] = field(default_factory=list)
    files_checked: int = 0
    schema_differences: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.mode == "projection":
            added = "no partitions registered (partition projection)"
        else:
            shown = ", ".join(self.partitions_added[:5]) + (" ..." if len(self.partitions_added) > 5 else "")
            added = f"{len(self.partitions_added)} partition(s) added" + (f" ({shown})" if shown else "")
        return (
            f"{self.crawler} -> {self.table}: {added}, {self.files_checked} new file(s) checked, "
            f"{len(self.schema_differences)} schema difference(s) logged, {self.duration_s:.2f}s"
        )

    def metrics(self) -> dict:
        """``GetCrawlerMetrics``' fields for this run (a declared table is never created, updated or deleted)."""
        return {
            "CrawlerName": self.crawler,
            "LastRuntimeSeconds": round(self.duration_s, 3),
            "TablesCreated": 0,
            "TablesUpdated": 0,
            "TablesDeleted": 0,
            "PartitionsAdded": len(self.partitions_added),
            "SchemaDifferences": len(self.schema_differences),
            "LastCrawlStarted": self.started,
        }


# --------------------------------------------------------------------------- I/O: one crawler run


def _keys(s3, bucket: str, prefix: str) -> dict[str, datetime]:
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for obj in page.get("Contents", []):
            out[obj["Key"]] = obj["LastModified"]
    return out


class CrawlerLog:
    """Log events of one crawler run, sent to the crawler log group (stream = the crawler's name) at the end."""

    def __init__(self, logs, crawler: str, group: str = CRAWLER_LOG_GROUP) -> None:
        self.logs, self.crawler, self.group = logs, crawler, group
        self.events: list[str] = []

    def __call__(self, level: str, message: str) -> None:
        self.events.append(f"{level} : {message}")

    def flush(self) -> None:
        if self.logs is None or not self.events:
            return
        try:
            self.logs.create_log_stream(logGroupName=self.group, logStreamName=self.crawler)
        except self.logs.exceptions.ResourceAlreadyExistsException:
            pass
        except self.logs.exceptions.ResourceNotFoundException:  # Glue creates the group when nobody manages it
            self.logs.create_log_group(logGroupName=self.group)
            self.logs.create_log_stream(logGroupName=self.group, logStreamName=self.crawler)
        now = int(time.time() * 1000)
        self.logs.put_log_events(
            logGroupName=self.group,
            logStreamName=self.crawler,
            logEvents=[{"timestamp": now, "message": m} for m in self.events],
        )
        self.events = []


def run_target(target: Target, glue, s3, logs, filesystem, since: datetime | None = None) -> CrawlSummary:
    """Run one crawler on its catalog target table; files modified after ``since`` (default: all) are checked."""
    import pyarrow.parquet as pq

    started = time.monotonic()
    try:
        glue_table = glue.get_table(DatabaseName=target.database, Name=target.table)["Table"]
    except glue.exceptions.EntityNotFoundException:
        raise CrawlError(
            f"crawler {target.crawler}: its catalog target {target.database}.{target.table} does not exist"
        ) from None
    spec = table_spec(target.database, glue_table)
    summary = CrawlSummary(
        target.crawler, spec.name, "projection" if spec.projected else "crawler", datetime.now(UTC).isoformat()
    )
    log = CrawlerLog(logs, target.crawler)
    log("BENCHMARK", f"Running Start Crawl for Crawler {target.crawler}")
    keys = _keys(s3, spec.bucket, spec.prefix)
    folders = dt_folders(spec, keys)
    # S3 keeps LastModified to the second: a file of the previous run's starting second is checked again
    new_keys = {k for k, when in keys.items() if since is None or when >= since.replace(microsecond=0)}
    if not spec.projected and spec.partition_keys:
        from lake.query import registered_partitions

        registered = {p.dt for p in registered_partitions(glue, spec)}
        missing = sorted(dt for dt in folders if dt not in registered)
        for i in range(0, len(missing), BATCH_CREATE_LIMIT):
            chunk = missing[i : i + BATCH_CREATE_LIMIT]
            response = glue.batch_create_partition(
                DatabaseName=spec.database,
                TableName=spec.name,
                PartitionInputList=[partition_input(glue_table, dt) for dt in chunk],
            )
            failed = {
                e["PartitionValues"][0]: e["ErrorDetail"]
                for e in response.get("Errors", [])
                if e["ErrorDetail"].get("ErrorCode") != "AlreadyExistsException"
            }
            for dt, err in failed.items():
                log("ERROR", f"Could not create partition dt={dt} of {spec.name}: {err.get('ErrorMessage')}")
            summary.partitions_added.extend(dt for dt in chunk if dt not in failed)
        for dt in summary.partitions_added:
            log("INFO", f"Created partition with values [{dt}] for table {spec.database}.{spec.name}")
            new_keys.update(folders[dt])
    for key in sorted(k for k in new_keys if k.endswith(".parquet")):
        path = f"{spec.bucket}/{key}"
        summary.files_checked += 1
        for diff in schema_differences(spec, path, pq.read_schema(path, filesystem=filesystem)):
            summary.schema_differences.append(diff)
            log("WARN", f"Schema change of table {spec.name} not applied (update behavior LOG): {diff}")
    summary.duration_s = time.monotonic() - started
    log("BENCHMARK", f"Crawler has finished running and is in state READY: {summary.line()}")
    log.flush()
    return summary


# --------------------------------------------------------------------------- metrics kept between runs


class MetricsStore:
    """``GetCrawlerMetrics``-like figures of each crawler's last run, kept in a JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, dict]:
        if not self.path.is_file():
            return {}
        try:
            return json.loads(self.path.read_text())
        except ValueError:
            raise CrawlError(f"{self.path}: not a crawler metrics file; delete it") from None

    def last_started(self, crawler: str) -> datetime | None:
        entry = self.load().get(crawler)
        return datetime.fromisoformat(entry["LastCrawlStarted"]) if entry else None

    def save(self, summaries: Iterable[CrawlSummary]) -> None:
        data = self.load()
        for s in summaries:
            data[s.crawler] = s.metrics()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(data, indent=2, sort_keys=True))


def list_crawlers(glue) -> list[dict]:
    crawlers = []
    for page in glue.get_paginator("get_crawlers").paginate():
        crawlers.extend(page.get("Crawlers", []))
    return crawlers


def crawl(
    aws,
    database: str | None = None,
    dataset: str | None = None,
    metrics: MetricsStore | None = None,
    out: Callable[[str], None] = lambda _line: None,
    only: set[str] | None = None,
) -> list[CrawlSummary]:
    """Run every crawler (of ``dataset``'s tables, or named in ``only``, when given) whose catalog target is in
    ``database``."""
    from lake.query import s3_filesystem

    glue = aws.client("glue")
    crawlers = [c for c in list_crawlers(glue) if only is None or c["Name"] in only]
    targets, skipped = catalog_targets(crawlers)
    for reason in skipped:
        out(f"skipped {reason}")
    targets = [
        t
        for t in targets
        if (database is None or t.database == database) and (dataset is None or t.table.rsplit("_v", 1)[0] == dataset)
    ]
    if not targets:
        raise CrawlError(
            f"no crawler crawls a table{f' of dataset {dataset!r}' if dataset else ''}"
            f"{f' in database {database!r}' if database else ''}: is the lake applied?"
        )
    fs = s3_filesystem(aws.endpoint, aws.region, "testing", "testing")
    s3, logs = aws.client("s3"), aws.client("logs")
    summaries = []
    for target in targets:
        since = metrics.last_started(target.crawler) if metrics else None
        summary = run_target(target, glue, s3, logs, fs, since=since)
        out(summary.line())
        for diff in summary.schema_differences:
            out(f"  schema difference (logged, table unchanged): {diff}")
        summaries.append(summary)
    if metrics is not None:
        metrics.save(summaries)
    return summaries


class LocalCrawlers:
    """The crawlers of a running local lake (``lake up``): after each ETL batch, or when their schedule fires."""

    def __init__(self, aws, database: str, metrics_path: Path, out: Callable[[str], None] | None = None) -> None:
        self.aws, self.database = aws, database
        self.metrics = MetricsStore(metrics_path)
        self.out = out or (lambda line: print(f"  crawl: {line}", flush=True))
        self.last_minute: datetime | None = None

    def run(self, only: set[str] | None = None) -> list[CrawlSummary]:
        try:
            return crawl(self.aws, database=self.database, metrics=self.metrics, out=self.out, only=only)
        except CrawlError as exc:
            self.out(f"FAILED: {exc}")
            return []

    def run_scheduled(self, now: datetime | None = None) -> list[CrawlSummary]:
        """Run the crawlers whose schedule fires in this minute (once a minute at most)."""
        from lake.schedule import due_crawlers

        minute = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
        if minute == self.last_minute:
            return []
        first = self.last_minute is None
        self.last_minute = minute
        names, problems = due_crawlers(list_crawlers(self.aws.client("glue")), minute)
        for problem in problems if first else []:
            self.out(f"not scheduled: {problem}")
        return self.run(only=names) if names else []


def summaries_json(summaries: list[CrawlSummary]) -> str:
    return json.dumps([{**asdict(s), "metrics": s.metrics()} for s in summaries], indent=2)
