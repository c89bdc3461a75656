"""The four layers as one lake on an endpoint of its own: applied in dependency order, drift-checked clean as one
report, a failed ingestion apply that leaves the catalog's state byte-identical (and, once applied again, nothing
left to plan in any layer), and destroyed in reverse with nothing left behind.

The tests share the lake and run in file order. Covered elsewhere, so not planned here again (each Terraform
command starts the AWS provider anew, about 4 CPU seconds a start): an empty second plan right after the first
apply (``test_deployed_lake.py``), and a Lambda-only change planned and applied in ingestion alone, through the
merge-gate workflow's own jobs (``tests/workflows/test_production_path_e2e.py``).
"""

from __future__ import annotations

import json

import pytest

from lake.cli import main as lake_main
from lake.deploy import LocalLake
from lake.layers import LAYERS
from lake.local_aws import LocalAWS, patched_environ
from lake.terraform import TerraformError

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PREFIX = "lake-layers"
DATASETS = {"users": {"versions": [1]}}


def live_resources(aws: LocalAWS) -> dict[str, list[str]]:
    """Every resource kind the lake creates, as names found on the endpoint."""
    glue, logs, kms = aws.client("glue"), aws.client("logs"), aws.client("kms")
    return {
        "buckets": [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]],
        "functions": [f["FunctionName"] for f in aws.client("lambda").list_functions()["Functions"]],
        "layers": [ly["LayerName"] for ly in aws.client("lambda").list_layers()["Layers"]],
        "roles": [r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]],
        "queues": aws.client("sqs").list_queues().get("QueueUrls", []),
        "databases": [d["Name"] for d in glue.get_databases()["DatabaseList"]],
        "crawlers": glue.list_crawlers()["CrawlerNames"],
        "workgroups": [
            w["Name"] for w in aws.client("athena").list_work_groups()["WorkGroups"] if w["Name"] != "primary"
        ],
        "log_groups": [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]],
        "topics": [t["TopicArn"] for t in aws.client("sns").list_topics()["Topics"]],
        "alarms": [a["AlarmName"] for a in aws.client("cloudwatch").describe_alarms()["MetricAlarms"]],
        "key_aliases": [
            a["AliasName"] for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")
        ],
        "enabled_keys": [
            k["KeyId"]
            for k in kms.list_keys()["Keys"]
            if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"
        ],
    }


@pytest.fixture(scope="module")
def lake(lake_artifacts, lake_tmp):
    handler_zip, layer_zip = lake_artifacts
    with LocalAWS.start() as aws:
        lake = LocalLake(
            aws, lake_tmp / "layers", handler_zip, layer_zip, variables={"name_prefix": PREFIX, "datasets": DATASETS}
        )
        with lake:
            lake.init()
            yield lake


def spans(lake: LocalLake, action: str) -> dict[str, tuple[float, float]]:
    return {layer: (start, end) for act, layer, start, end in lake.runs if act == action}


def test_the_four_layers_apply_in_dependency_order(lake):
    outputs = lake.apply()
    applied = spans(lake, "apply")
    assert list(applied) != [] and set(applied) == set(LAYERS)
    foundation_done = applied["foundation"][1]
    for layer in ("ingestion", "catalog", "query"):  # each needs foundation's buckets, roles and key
        assert applied[layer][0] >= foundation_done, layer
    for layer in LAYERS:
        state = json.loads(lake.state_paths[layer].read_text())
        modules = {r.get("module", "").split(".")[1] for r in state["resources"] if r["mode"] == "managed"}
        assert modules == {layer}, f"{layer}'s state holds only {layer}'s resources: {modules}"
    assert outputs["raw_bucket"] == f"{PREFIX}-raw" and outputs["athena_workgroup"] == PREFIX


def test_one_drift_run_over_the_four_states_is_clean(lake, tmp_path):
    report = tmp_path / "drift.json"
    states = [str(lake.state_paths[layer]) for layer in LAYERS]
    with patched_environ(lake.aws.environment()):
        code = lake_main(["drift", *states, "--endpoint-url", lake.aws.endpoint, "--json", str(report), "--quiet"])
    doc = json.loads(report.read_text())
    assert code == 0, doc["summary"]
    assert doc["sources"] == states
    summary = doc["summary"]
    managed = sum(
        1
        for layer in LAYERS
        for r in json.loads(lake.state_paths[layer].read_text())["resources"]
        if r["mode"] == "managed"
    )
    assert summary["resources"] >= managed > 0
    assert (summary["deleted"], summary["changed"], summary["unmanaged"], summary["unknown"]) == (0, 0, 0, 0)


def test_a_failed_ingestion_apply_leaves_the_catalog_state_byte_identical(lake):
    catalog_before = lake.state_paths["catalog"].read_bytes()
    foundation_before = lake.state_paths["foundation"].read_bytes()
    # the users function's log group and what needs it (the function, its invoke config and permission, the raw
    # notification) are destroyed, the rest of ingestion (the failure queue, the layer, the package) stays
    log_group = 'module.ingestion.module.lambda.aws_cloudwatch_log_group.etl["users"]'
    lake.terraforms["ingestion"].destroy(variables=lake.tf_variables("ingestion"), targets=[log_group])
    kept = {r["type"] for r in json.loads(lake.state_paths["ingestion"].read_text())["resources"]}
    assert "aws_sqs_queue" in kept and "aws_lambda_function" not in kept, kept
    logs = lake.aws.client("logs")
    squatter = f"/aws/lambda/{PREFIX}-etl-users"  # made by hand: ingestion's CreateLogGroup then fails mid-apply
    logs.create_log_group(logGroupName=squatter)
    try:
        with pytest.raises(TerraformError, match=r"already exists|ResourceAlreadyExists") as failed:
            lake.apply(["ingestion"])
        # a real mid-apply failure: the plan went through and the apply failed creating the log group
        assert "creating CloudWatch Logs Log Group" in str(failed.value), failed.value
        after = {r["type"] for r in json.loads(lake.state_paths["ingestion"].read_text())["resources"]}
        assert after == kept, after ^ kept
        assert lake.state_paths["catalog"].read_bytes() == catalog_before
        assert lake.state_paths["foundation"].read_bytes() == foundation_before
        assert lake.plan_exitcodes(["foundation", "catalog", "query"]) == {"foundation": 0, "catalog": 0, "query": 0}
    finally:
        logs.delete_log_group(logGroupName=squatter)
    lake.apply(["ingestion"])
    assert lake.plan_exitcodes() == dict.fromkeys(LAYERS, 0)


def test_destroy_runs_in_reverse_order_and_leaves_nothing_behind(lake):
    # uploads after deploy must not block destroy (force_destroy in envs/local)
    s3 = lake.aws.client("s3")
    s3.put_object(Bucket=f"{PREFIX}-raw", Key="incoming/users/2024/01/01/a.json", Body=b"{}")
    s3.put_object(Bucket=f"{PREFIX}-raw", Key="incoming/users/2024/01/01/a.json", Body=b"{}")  # a 2nd version
    s3.put_object(Bucket=f"{PREFIX}-curated", Key="dataset/users/schema=1/dt=2024-01-01/x.parquet", Body=b"x")
    before = live_resources(lake.aws)
    lake.runs.clear()
    lake.destroy()
    after = live_resources(lake.aws)
    assert all(before.values()), f"the lake was not deployed: {before}"
    assert after == {kind: [] for kind in after}
    destroyed = spans(lake, "destroy")
    assert set(destroyed) == set(LAYERS)
    for layer in ("ingestion", "catalog", "query"):  # everything that needs foundation goes before it
        assert destroyed[layer][1] <= destroyed["foundation"][0], layer
