"""Adding a dataset is data only: one contract file plus one entry in ``datasets`` grows the layers' plans by
exactly that dataset's function and notification filters (ingestion), crawler, table and alarms (catalog), and
widens the policies that name per-dataset prefixes (foundation), with nothing replaced or destroyed and nothing
in query."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contracts import glue_columns, load_file
from lake.deploy import LocalLake
from lake.terraform import TerraformError
from lake.workspace import resolve

CHECKOUT = resolve(Path(__file__).parent)  # this test file's checkout, wherever lake is installed

pytestmark = pytest.mark.e2e

# Struct members named like types ("bool", "list") prove the HCL type mapping only rewrites type positions.
ORDERS_V1 = {
    "dataset": "orders",
    "version": 1,
    "description": "Orders from the shop.",
    "records_path": None,
    "partition_field": "ordered_at",
    "fields": [
        {"name": "order_id", "path": "id", "type": "int64", "required": True, "nullable": False},
        {"name": "total", "path": "total", "type": "decimal(10,2)"},
        {"name": "paid", "path": "paid", "type": "bool"},
        {"name": "weight", "path": "weight", "type": "float64"},
        {"name": "lines", "path": "lines", "type": "list<struct<sku:string,qty:int64,bool:bool,list:list<float64>>>"},
        {"name": "meta", "path": "meta", "type": "struct<int64:string,tags:list<list<bool>>>"},
        {"name": "ship_date", "path": "ship_date", "type": "date"},
        {"name": "ordered_at", "path": "ordered_at", "type": "timestamp", "required": True, "nullable": False},
    ],
}
DATASETS = {"users": {"versions": [1]}, "tweets": {"versions": [1], "partitioning": "projection"}}  # the default
GROWN = {**DATASETS, "orders": {"versions": [1]}}


@pytest.fixture(scope="module")
def grown_lake(deployed_lake, lake_artifacts, lake_tmp):
    """A copy of infra/ + contracts/ with contracts/orders/v1.json, planned against the deployed lake's state."""
    root = lake_tmp / "grown"
    ignore = shutil.ignore_patterns(".terraform*", "*.tfstate*", "__pycache__")
    shutil.copytree(CHECKOUT.infra, root / "src" / "infra", ignore=ignore)
    shutil.copytree(CHECKOUT.contracts, root / "src" / "contracts", ignore=ignore)
    (root / "src" / "contracts" / "orders").mkdir()
    (root / "src" / "contracts" / "orders" / "v1.json").write_text(json.dumps(ORDERS_V1, indent=2))
    work = root / "work"
    work.mkdir()
    for state in deployed_lake.state_paths.values():
        shutil.copy(state, work / state.name)
    handler_zip, layer_zip = lake_artifacts
    lake = LocalLake(
        deployed_lake.aws,
        work,
        handler_zip,
        layer_zip,
        config_dir=root / "src" / "infra" / "envs" / "local",
        variables={"datasets": GROWN},
    )
    lake.init()
    yield lake
    lake.close()


@pytest.fixture(scope="module")
def changes(grown_lake):
    return {
        rc["address"]: rc["change"]
        for plan in grown_lake.plan_jsons(bootstrap=False).values()
        for rc in plan["resource_changes"]
        if rc["change"]["actions"] not in (["no-op"], ["read"])
    }


def test_plan_grows_by_the_new_dataset_only(changes):
    created = {a for a, c in changes.items() if c["actions"] == ["create"]}
    updated = {a for a, c in changes.items() if c["actions"] == ["update"]}
    assert created == {
        'module.ingestion.module.lambda.aws_lambda_function.etl["orders"]',
        'module.ingestion.module.lambda.aws_cloudwatch_log_group.etl["orders"]',
        'module.ingestion.module.lambda.aws_lambda_function_event_invoke_config.etl["orders"]',
        'module.ingestion.aws_lambda_permission.raw_invokes_etl["orders"]',
        'module.catalog.module.glue.aws_glue_catalog_table.this["orders_v1"]',
        'module.catalog.module.glue.aws_glue_crawler.this["orders_v1"]',
        'module.catalog.module.alarms.aws_cloudwatch_metric_alarm.this["lake-local-etl-orders-errors"]',
        'module.catalog.module.alarms.aws_cloudwatch_metric_alarm.this["lake-local-etl-orders-throttles"]',
    }
    assert updated == {
        "module.ingestion.aws_s3_bucket_notification.raw",
        'module.foundation.module.iam.aws_iam_role_policy.this["etl"]',
        'module.foundation.module.iam.aws_iam_role_policy.this["crawler"]',
        'module.foundation.module.iam.aws_iam_role_policy.this["drift-reader"]',  # GetPartitions on the new table
        "module.foundation.module.iam.aws_iam_role_policy.batch_operations",  # may invoke the new function
    }
    assert set(changes) == created | updated  # nothing destroyed or replaced


def test_new_notification_filters_route_to_the_new_function(changes):
    after = changes["module.ingestion.aws_s3_bucket_notification.raw"]["after"]["lambda_function"]
    orders = sorted((n["filter_prefix"], n["filter_suffix"]) for n in after if n["filter_prefix"] == "incoming/orders/")
    assert orders == [("incoming/orders/", ".json"), ("incoming/orders/", ".json.gz")]
    assert len(after) == 2 * len(GROWN)


def test_new_function_and_crawler_agree_on_the_curated_prefix(changes):
    fn = changes['module.ingestion.module.lambda.aws_lambda_function.etl["orders"]']["after"]
    env = fn["environment"][0]["variables"]
    assert env["DATASET"] == "orders" and env["SCHEMA_VERSION"] == "1"
    assert env["CURATED_PREFIX"] == "dataset/orders/schema=1"
    crawler = changes['module.catalog.module.glue.aws_glue_crawler.this["orders_v1"]']["after"]
    assert crawler["s3_target"] == []
    assert [t["tables"] for t in crawler["catalog_target"]] == [["orders_v1"]]
    table = changes['module.catalog.module.glue.aws_glue_catalog_table.this["orders_v1"]']["after"]
    assert table["storage_descriptor"][0]["location"] == f"s3://{env['CURATED_BUCKET']}/{env['CURATED_PREFIX']}/"
    assert crawler["schema_change_policy"] == [{"update_behavior": "LOG", "delete_behavior": "LOG"}]


def test_new_table_columns_match_the_python_type_mapping(grown_lake, changes):
    contract = load_file(grown_lake.config_dir.parent.parent.parent / "contracts" / "orders" / "v1.json")
    table = changes['module.catalog.module.glue.aws_glue_catalog_table.this["orders_v1"]']["after"]
    columns = [(c["name"], c["type"]) for c in table["storage_descriptor"][0]["columns"]]
    assert columns == glue_columns(contract)
    assert ("lines", "array<struct<sku:string,qty:bigint,bool:boolean,list:array<double>>>") in columns
    assert [(k["name"], k["type"]) for k in table["partition_keys"]] == [("dt", "string")]


def test_new_prefixes_are_granted_to_etl_and_crawler(changes):
    etl = json.loads(changes['module.foundation.module.iam.aws_iam_role_policy.this["etl"]']["after"]["policy"])
    grants = {
        r for s in etl["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
    }
    assert "arn:aws:s3:::lake-local-raw/incoming/orders/*" in grants
    assert "arn:aws:s3:::lake-local-curated/dataset/orders/schema=1/*" in grants
    crawler = json.loads(changes['module.foundation.module.iam.aws_iam_role_policy.this["crawler"]']["after"]["policy"])
    assert any(
        "arn:aws:s3:::lake-local-curated/dataset/orders/schema=1/*" in s["Resource"] for s in crawler["Statement"]
    )


def test_a_listed_version_without_a_contract_fails_the_plan_naming_the_file(grown_lake):
    grown_lake.variables = {"datasets": {**GROWN, "ghost": {"versions": [1]}}}
    try:
        with pytest.raises(TerraformError, match=r"ghost/v1\.json"):
            grown_lake.plan_exitcodes(["catalog"])
    finally:
        grown_lake.variables = {"datasets": GROWN}
