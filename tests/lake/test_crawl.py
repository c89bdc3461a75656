"""`lake crawl` and `lake query` against a moto endpoint with a hand-made catalog (no Terraform): what Athena sees.

The catalog here is built the way infra/modules/glue declares it (a table from the users contract, a catalog-target
crawler), so the tests run in seconds; the same flow on the applied lake is in test_catalog_e2e.py.
"""

from __future__ import annotations

import contextlib
import io
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import contracts
from lake.crawl import CrawlError, MetricsStore, catalog_targets, crawl
from lake.local_aws import LocalAWS
from lake.query import QueryError, run_local, s3_filesystem

DB, BUCKET, RAW = "crawl_db", "crawl-curated", "crawl-raw"
PREFIX = "dataset/users/schema=1"


@pytest.fixture(scope="module")
def aws():
    with LocalAWS.start() as aws:
        yield aws


def _contract():
    return next(c for c in contracts.discover() if c.dataset == "users" and c.version == 1)


def _table_input(name: str, params: dict | None = None) -> dict:
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"EXTERNAL": "TRUE", "classification": "parquet", "contract_dataset": "users", **(params or {})},
        "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        "StorageDescriptor": {
            "Location": f"s3://{BUCKET}/{PREFIX}/",
            "Columns": [{"Name": n, "Type": t} for n, t in contracts.glue_columns(_contract())],
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        },
    }


def _rows(n: int, day: str) -> pa.Table:
    from handler.schema import arrow_schema

    schema = arrow_schema(_contract())
    return pa.Table.from_pylist([_row(schema, i, day) for i in range(n)], schema=schema)


def _row(schema: pa.Schema, i: int, day: str) -> dict:
    from datetime import UTC, datetime

    values = {}
    for f in schema:
        if pa.types.is_integer(f.type):
            values[f.name] = i
        elif pa.types.is_timestamp(f.type):
            values[f.name] = datetime.fromisoformat(f"{day}T00:00:00").replace(tzinfo=UTC)
        elif pa.types.is_string(f.type):
            values[f.name] = f"v{i}"
        elif pa.types.is_boolean(f.type):
            values[f.name] = i % 2 == 0
        else:
            values[f.name] = None
    return values


def _put(aws, key: str, table: pa.Table, bucket: str = BUCKET) -> None:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    aws.client("s3").put_object(Bucket=bucket, Key=key, Body=buf.getvalue())


@pytest.fixture
def lake(aws, request):
    """A fresh table + catalog-target crawler per test (``crawler`` mode unless the test is parametrised)."""
    params = getattr(request, "param", None)
    glue, s3 = aws.client("glue"), aws.client("s3")
    for b in (BUCKET, RAW):
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=b)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=obj["Key"])
    with contextlib.suppress(glue.exceptions.AlreadyExistsException):
        glue.create_database(DatabaseInput={"Name": DB})
    for name in ("users_v1",):
        with contextlib.suppress(glue.exceptions.EntityNotFoundException):
            glue.delete_table(DatabaseName=DB, Name=name)
    glue.create_table(DatabaseName=DB, TableInput=_table_input("users_v1", params))
    with contextlib.suppress(glue.exceptions.EntityNotFoundException):
        glue.delete_crawler(Name="crawl-users-v1")
    glue.create_crawler(
        Name="crawl-users-v1",
        Role="arn:aws:iam::123456789012:role/crawler",
        DatabaseName=DB,
        Targets={"CatalogTargets": [{"DatabaseName": DB, "Tables": ["users_v1"]}]},
        SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
    )
    return aws


def _count(aws, sql="SELECT count(*) AS n FROM users_v1"):
    fs = s3_filesystem(aws.endpoint, aws.region, "testing", "testing")
    result = run_local(sql, aws.client("glue"), fs, DB)
    return result.table.column("n")[0].as_py(), result.notes


def test_catalog_targets_skip_s3_target_crawlers_with_the_reason():
    targets, skipped = catalog_targets(
        [
            {"Name": "a", "Targets": {"CatalogTargets": [{"DatabaseName": "d", "Tables": ["t_v1"]}], "S3Targets": []}},
            {"Name": "b", "Targets": {"S3Targets": [{"Path": "s3://x/"}]}},
        ]
    )
    assert [(t.crawler, t.table) for t in targets] == [("a", "t_v1")]
    assert skipped and "b: has S3Targets" in skipped[0] and "CRAWLER-SCOPE" in skipped[0]


def test_query_sees_nothing_until_the_crawl_registers_the_partition(lake, tmp_path):
    _put(lake, f"{PREFIX}/dt=2024-05-01/a.parquet", _rows(7, "2024-05-01"))
    n, notes = _count(lake)
    assert n == 0
    assert len(notes) == 1 and "1 dt= folder(s)" in notes[0] and "2024-05-01" in notes[0]
    assert "lake crawl users" in notes[0]

    store = MetricsStore(tmp_path / "m.json")
    # S3 keeps LastModified to the second, and a crawl re-checks files of the previous run's starting second (so
    # none is missed): start the first crawl in the second after the upload, so the second crawl has nothing new.
    time.sleep(1.05 - time.time() % 1)
    [summary] = crawl(lake, database=DB, dataset="users", metrics=store)
    assert summary.partitions_added == ["2024-05-01"] and summary.schema_differences == []
    assert _count(lake) == (7, [])
    part = lake.client("glue").get_partition(DatabaseName=DB, TableName="users_v1", PartitionValues=["2024-05-01"])
    sd = part["Partition"]["StorageDescriptor"]
    assert sd["Location"] == f"s3://{BUCKET}/{PREFIX}/dt=2024-05-01/"
    assert [c["Name"] for c in sd["Columns"]] == [n for n, _ in contracts.glue_columns(_contract())]  # inherited
    assert store.load()["crawl-users-v1"]["PartitionsAdded"] == 1

    [again] = crawl(lake, database=DB, dataset="users", metrics=store)
    assert again.partitions_added == [] and again.files_checked == 0
    events = lake.client("logs").get_log_events(logGroupName="/aws-glue/crawlers", logStreamName="crawl-users-v1")
    messages = [e["message"] for e in events["events"]]
    assert any("Created partition with values [2024-05-01]" in m for m in messages)
    assert sum("Crawler has finished running" in m for m in messages) == 2


def test_more_partitions_than_one_batch_create_call(lake, monkeypatch):
    import lake.crawl as crawl_module

    monkeypatch.setattr(crawl_module, "BATCH_CREATE_LIMIT", 2)  # 100 in AWS: 5 folders make 3 calls here
    days = [f"2023-01-0{d}" for d in range(1, 6)]
    small = _rows(1, "2023-01-01")
    for day in days:
        _put(lake, f"{PREFIX}/dt={day}/a.parquet", small)
    calls = []
    glue = lake.client("glue")
    glue.meta.events.register("before-call.glue.BatchCreatePartition", lambda **kw: calls.append(1))
    other = lake.client
    monkeypatch.setattr(lake, "client", lambda name: glue if name == "glue" else other(name))
    [summary] = crawl(lake, database=DB)
    assert summary.partitions_added == days and len(calls) == 3
    assert _count(lake)[0] == len(days)


def test_a_file_with_another_schema_is_logged_and_the_table_is_unchanged(lake):
    before = lake.client("glue").get_table(DatabaseName=DB, Name="users_v1")["Table"]["StorageDescriptor"]["Columns"]
    other = pa.table({"user_id": pa.array(["not-a-number"]), "surprise": pa.array([1.5])})
    _put(lake, f"{PREFIX}/dt=2024-06-01/other.parquet", other)
    [summary] = crawl(lake, database=DB)
    diffs = summary.schema_differences
    assert any("'user_id' is bigint in the table but string in the file" in d for d in diffs)
    assert any("'surprise' is in the file but not in the table" in d for d in diffs)
    assert any("missing from the file" in d for d in diffs)
    after = lake.client("glue").get_table(DatabaseName=DB, Name="users_v1")["Table"]["StorageDescriptor"]["Columns"]
    assert after == before
    events = lake.client("logs").get_log_events(logGroupName="/aws-glue/crawlers", logStreamName="crawl-users-v1")
    assert any(
        "not applied (update behavior LOG)" in e["message"] and "surprise" in e["message"] for e in events["events"]
    )


def test_a_partition_located_in_raw_is_refused(lake):
    _put(lake, "incoming/users/x.parquet", _rows(2, "2024-05-01"), bucket=RAW)
    lake.client("glue").create_partition(
        DatabaseName=DB,
        TableName="users_v1",
        PartitionInput={"Values": ["2024-05-01"], "StorageDescriptor": {"Location": f"s3://{RAW}/incoming/users/"}},
    )
    with pytest.raises(
        QueryError, match=r"partition dt=2024-05-01 is located at s3://crawl-raw/incoming/users/.*ATHENA-NO-RAW"
    ):
        _count(lake)


PROJECTION = {
    "projection.enabled": "true",
    "projection.dt.type": "date",
    "projection.dt.format": "yyyy-MM-dd",
    "projection.dt.range": "2024-01-01,NOW",
    "projection.dt.interval": "1",
    "projection.dt.interval.unit": "DAYS",
    "storage.location.template": f"s3://{BUCKET}/{PREFIX}/dt=${{dt}}/",
}


@pytest.mark.parametrize("lake", [PROJECTION], indirect=True)
def test_projection_table_is_queryable_without_a_crawl_and_enumerates_like_athena(lake):
    _put(lake, f"{PREFIX}/dt=2024-05-01/a.parquet", _rows(3, "2024-05-01"))
    _put(lake, f"{PREFIX}/dt=2023-12-31/a.parquet", _rows(5, "2023-12-31"))  # before the projected range
    _put(lake, f"{PREFIX}/dt=latest/a.parquet", _rows(11, "2024-05-01"))  # not a projected date
    assert _count(lake) == (3, [])
    [summary] = crawl(lake, database=DB)
    assert summary.mode == "projection" and summary.partitions_added == []
    assert lake.client("glue").get_partitions(DatabaseName=DB, TableName="users_v1")["Partitions"] == []


def test_crawl_of_an_unknown_dataset_is_one_clear_error(lake):
    with pytest.raises(CrawlError, match="no crawler crawls a table of dataset 'orders'"):
        crawl(lake, database=DB, dataset="orders")


def test_lake_crawl_cli_json_and_one_line_error(lake, capsys, monkeypatch):
    import json

    from lake.cli import main as lake_main

    monkeypatch.setenv("LAKE_HOME", "/nonexistent-lake-home")  # no `lake up` session: no metrics kept
    _put(lake, f"{PREFIX}/dt=2024-07-01/a.parquet", _rows(2, "2024-07-01"))
    assert lake_main(["crawl", "users", "--endpoint", lake.endpoint, "--database", DB, "--format", "json"]) == 0
    [run] = json.loads(capsys.readouterr().out)
    assert run["partitions_added"] == ["2024-07-01"] and run["metrics"]["PartitionsAdded"] == 1
    assert run["metrics"]["TablesCreated"] == run["metrics"]["TablesUpdated"] == 0
    assert lake_main(["crawl", "orders", "--endpoint", lake.endpoint, "--database", DB]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lake: error: no crawler crawls a table of dataset 'orders'")


def test_lake_up_runs_a_crawler_when_its_schedule_fires_once_a_minute(lake, tmp_path):
    from datetime import UTC, datetime

    from lake.crawl import LocalCrawlers

    glue = lake.client("glue")
    crawler = glue.get_crawler(Name="crawl-users-v1")["Crawler"]
    glue.delete_crawler(Name="crawl-users-v1")  # moto has no UpdateCrawler
    glue.create_crawler(
        Name="crawl-users-v1",
        Role=crawler["Role"],
        DatabaseName=DB,
        Targets=crawler["Targets"],
        SchemaChangePolicy=crawler["SchemaChangePolicy"],
        Schedule="cron(0 3 * * ? *)",
    )
    _put(lake, f"{PREFIX}/dt=2024-08-01/a.parquet", _rows(1, "2024-08-01"))
    lines: list[str] = []
    crawlers = LocalCrawlers(lake, DB, tmp_path / "metrics.json", out=lines.append)
    assert crawlers.run_scheduled(datetime(2024, 8, 1, 2, 59, 30, tzinfo=UTC)) == []
    [run] = crawlers.run_scheduled(datetime(2024, 8, 1, 3, 0, 5, tzinfo=UTC))
    assert run.partitions_added == ["2024-08-01"] and lines and "crawl-users-v1 -> users_v1" in lines[0]
    assert crawlers.run_scheduled(datetime(2024, 8, 1, 3, 0, 40, tzinfo=UTC)) == []  # same minute: not again
    assert (tmp_path / "metrics.json").is_file()
