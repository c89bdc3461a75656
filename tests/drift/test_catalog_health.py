"""Catalog health: unregistered dt= folders, orphan partitions and partitions outside the table, each found."""

from __future__ import annotations

import pytest

from drift.aws import AWSOptions, LiveAWS
from drift.catalog_health import check, spec_from_state, table_issues
from drift.model import ManagedResource
from drift.report import Report, console, html, markdown
from lake.catalog import Partition
from lake.local_aws import LocalAWS, patched_environ

DB, CURATED, RAW = "health_db", "health-curated", "health-raw"
LOCATION = f"s3://{CURATED}/dataset/users/schema=1/"


def _table(params: dict | None = None) -> ManagedResource:
    return ManagedResource(
        'module.catalog.module.glue.aws_glue_catalog_table.this["users_v1"]',
        "aws_glue_catalog_table",
        {
            "name": "users_v1",
            "database_name": DB,
            "parameters": {"contract_dataset": "users", **(params or {})},
            "partition_keys": [{"name": "dt", "type": "string"}],
            "storage_descriptor": [{"location": LOCATION, "columns": [{"name": "user_id", "type": "bigint"}]}],
        },
    )


CRAWLER = ManagedResource(
    'module.catalog.module.glue.aws_glue_crawler.this["users_v1"]',
    "aws_glue_crawler",
    {"name": "lake-users-v1", "catalog_target": [{"database_name": DB, "tables": ["users_v1"]}]},
)
KEYS = ["dataset/users/schema=1/dt=2024-05-01/a.parquet", "dataset/users/schema=1/dt=2024-05-02/b.parquet"]


def _part(dt: str, location: str | None = None) -> Partition:
    return Partition(dt, location or f"{LOCATION}dt={dt}/")


def test_a_clean_table_has_no_issue():
    assert table_issues(spec_from_state(_table()), KEYS, [_part("2024-05-01"), _part("2024-05-02")]) == []


def test_an_unregistered_folder_is_found_with_the_crawl_command():
    [issue] = table_issues(spec_from_state(_table()), KEYS, [_part("2024-05-01")], crawler="lake-users-v1")
    assert (issue.kind, issue.dt, issue.location) == ("unregistered", "2024-05-02", f"{LOCATION}dt=2024-05-02/")
    assert "Athena returns no rows" in issue.message
    assert issue.remedy == "lake crawl users (in AWS: aws glue start-crawler --name lake-users-v1)"


def test_an_orphan_partition_is_found_with_the_delete_command():
    parts = [_part("2024-05-01"), _part("2024-05-02"), _part("2024-04-30")]
    [issue] = table_issues(spec_from_state(_table()), KEYS, parts)
    assert (issue.kind, issue.dt) == ("orphan", "2024-04-30")
    assert issue.remedy == (
        "aws glue batch-delete-partition --database-name health_db --table-name users_v1 "
        "--partitions-to-delete Values=2024-04-30"
    )


def test_a_partition_located_in_raw_is_found():
    parts = [_part("2024-05-01"), _part("2024-05-02", f"s3://{RAW}/incoming/users/2024/05/02/")]
    [issue] = table_issues(spec_from_state(_table()), KEYS, parts)
    assert (issue.kind, issue.dt) == ("outside", "2024-05-02")
    assert "ATHENA-NO-RAW" in issue.message and issue.remedy.startswith("aws glue batch-delete-partition")


def test_a_projection_table_has_no_unregistered_folders():
    assert table_issues(spec_from_state(_table({"projection.enabled": "true"})), KEYS, []) == []


@pytest.fixture(scope="module")
def aws():
    with LocalAWS.start() as aws:
        yield aws


def test_the_report_section_from_live_reads_one_of_each(aws):
    s3, glue = aws.client("s3"), aws.client("glue")
    for bucket in (CURATED, RAW):
        s3.create_bucket(Bucket=bucket)
    for key in [*KEYS, "dataset/users/schema=1/dt=2024-05-03/c.parquet"]:
        s3.put_object(Bucket=CURATED, Key=key, Body=b"PAR1")
    glue.create_database(DatabaseInput={"Name": DB})
    glue.create_table(
        DatabaseName=DB,
        TableInput={
            "Name": "users_v1",
            "PartitionKeys": [{"Name": "dt", "Type": "string"}],
            "StorageDescriptor": {"Location": LOCATION, "Columns": [{"Name": "user_id", "Type": "bigint"}]},
        },
    )
    for dt, location in (
        ("2024-05-01", f"{LOCATION}dt=2024-05-01/"),  # fine
        ("2024-05-02", f"s3://{RAW}/incoming/users/"),  # outside: in raw
        ("2024-04-30", f"{LOCATION}dt=2024-04-30/"),  # orphan: no folder
    ):  # dt=2024-05-03 stays unregistered
        glue.create_partition(
            DatabaseName=DB,
            TableName="users_v1",
            PartitionInput={"Values": [dt], "StorageDescriptor": {"Location": location}},
        )
    with patched_environ(aws.environment()):
        live = LiveAWS(AWSOptions(endpoint_url=aws.endpoint, region=aws.region))
        health = check([_table(), CRAWLER], live)
    assert sorted((i.kind, i.dt) for i in health.issues) == [
        ("orphan", "2024-04-30"),
        ("outside", "2024-05-02"),
        ("unregistered", "2024-05-03"),
    ]
    assert health.counts() == {"unregistered": 1, "orphan": 1, "outside": 1}
    assert health.calls == 2  # one GetPartitions page, one ListObjectsV2 page: never a call per partition

    report = Report(["s"], [], 1, 1, 1, 0.1, judged=True, catalog=health)
    assert report.exit_code() == 0  # not Terraform drift
    assert report.to_dict()["summary"]["catalog_issues"] == 3
    text = console.render(report)
    assert "Catalog health (not Terraform drift)" in text and "fix: lake crawl users" in text
    assert "| unregistered | `health_db.users_v1` | 2024-05-03 |" in markdown.render(report)
    assert "Catalog health" in html.render(report) and "batch-delete-partition" in html.render(report)


def test_bench_catalog_health_calls_do_not_grow_with_partitions(aws):
    """bench/drift.py's catalog figure on two table sizes: the same API calls for 10 and 40 partitions."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "drift.py"
    spec = importlib.util.spec_from_file_location("bench_drift", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    small, large = (bench.catalog_health_figures(aws, n, name=f"b{n}") for n in (10, 40))
    assert small["issues_found"] == large["issues_found"] == ["orphan", "outside", "unregistered"]
    assert small["calls_measured_on_moto"] == large["calls_measured_on_moto"] == 2
    assert large["calls_one_per_partition_would_be"] == 42
