"""The aws_glue_crawler adapter on catalog-target crawlers: the provider's state shape against the live shape."""

from drift.adapters import adapter_for
from drift.adapters.aws_glue_crawler import crawler_attributes
from drift.diff import changes

LIVE = {
    "Name": "lake-users-v1",
    "Role": "arn:aws:iam::123456789012:role/lake-crawler",
    "DatabaseName": "lake",
    "Targets": {
        "S3Targets": [],
        "JdbcTargets": [],
        "CatalogTargets": [{"DatabaseName": "lake", "Tables": ["users_v1"]}],
    },
    "SchemaChangePolicy": {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
    "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVERYTHING"},
    "Schedule": {"ScheduleExpression": "cron(0 3 * * ? *)", "State": "SCHEDULED"},
    "Configuration": '{"Version":1,"CrawlerOutput":{"Partitions":{"AddOrUpdateBehavior":"InheritFromTable"}}}',
}
STATE = {  # as hashicorp/aws 5.x stores it: computed empty strings on the catalog target
    "name": "lake-users-v1",
    "role": "lake-crawler",
    "database_name": "lake",
    "table_prefix": "",
    "schedule": "cron(0 3 * * ? *)",
    "configuration": '{"CrawlerOutput":{"Partitions":{"AddOrUpdateBehavior":"InheritFromTable"}},"Version":1}',
    "s3_target": [],
    "catalog_target": [
        {
            "database_name": "lake",
            "tables": ["users_v1"],
            "connection_name": "",
            "event_queue_arn": "",
            "dlq_event_queue_arn": "",
        }
    ],
    "schema_change_policy": [{"update_behavior": "LOG", "delete_behavior": "LOG"}],
    "recrawl_policy": [{"recrawl_behavior": "CRAWL_EVERYTHING"}],
}


def _diff(live: dict) -> list[str]:
    adapter = adapter_for("aws_glue_crawler")
    return [c.path for c in changes(adapter.canonical(STATE), adapter.canonical(crawler_attributes(live)))]


def test_an_unchanged_catalog_target_crawler_has_no_drift():
    assert _diff(LIVE) == []


def test_a_crawler_switched_to_an_s3_target_in_raw_is_changed():
    live = {**LIVE, "Targets": {"S3Targets": [{"Path": "s3://lake-raw/incoming/"}], "CatalogTargets": []}}
    paths = _diff(live)
    assert any(p.startswith("s3_target") for p in paths) and any(p.startswith("catalog_target") for p in paths)


def test_a_crawler_pointed_at_another_table_names_the_table():
    live = {**LIVE, "Targets": {"CatalogTargets": [{"DatabaseName": "lake", "Tables": ["schema_1"]}]}}
    assert _diff(live) == ["catalog_target[0].tables[0]"]
