"""The lake applied to moto: every resource exists with the intended settings, read back through boto3."""

from __future__ import annotations

import json

import pytest

from contracts import discover, glue_columns

pytestmark = pytest.mark.e2e

PREFIX = "lake-local"
DATASETS = ("tweets", "users")
BUCKETS = ("raw", "curated", "quarantine", "athena-results", "artifacts")


def statements(policy_text: str) -> dict[str, dict]:
    return {s["Sid"]: s for s in json.loads(policy_text)["Statement"]}


@pytest.fixture(scope="module")
def out(deployed_lake):
    return deployed_lake.outputs


@pytest.fixture(scope="module")
def s3(deployed_lake):
    return deployed_lake.aws.client("s3")


def test_outputs_name_everything_as_documented(out):
    assert out["raw_bucket"] == f"{PREFIX}-raw"
    assert out["results_bucket"] == f"{PREFIX}-athena-results"
    assert out["glue_database"] == "lake_local"
    assert out["athena_workgroup"] == PREFIX
    assert set(out["role_arns"]) == {"etl", "crawler", "analyst", "drift-reader"}
    assert set(out["functions"]) == set(DATASETS)
    assert set(out["tables"]) == {f"{ds}_v1" for ds in DATASETS}
    assert out["crawlers"] == {f"{ds}_v1": f"{PREFIX}-{ds}-v1" for ds in DATASETS}
    assert out["failure_queue_arn"].endswith(f":{PREFIX}-etl-failures")


@pytest.mark.parametrize("bucket", BUCKETS)
def test_every_bucket_has_the_security_baseline(s3, out, bucket):
    name = f"{PREFIX}-{bucket}"
    pab = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert pab == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": out["kms_key_arn"],
    }
    (ownership,) = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"]
    assert ownership["ObjectOwnership"] == "BucketOwnerEnforced"
    tls = statements(s3.get_bucket_policy(Bucket=name)["Policy"])["DenyInsecureTransport"]
    assert tls["Effect"] == "Deny"
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_raw_is_versioned_append_only_and_never_expires(s3, out):
    raw = out["raw_bucket"]
    assert s3.get_bucket_versioning(Bucket=raw)["Status"] == "Enabled"
    policy = statements(s3.get_bucket_policy(Bucket=raw)["Policy"])
    overwrite = policy["DenyOverwrite"]
    assert overwrite["Effect"] == "Deny"
    assert overwrite["Action"] == "s3:PutObject"
    assert overwrite["Condition"] == {"Null": {"s3:if-none-match": "true"}}
    delete = policy["DenyDeleteAndExpiry"]
    assert delete["Effect"] == "Deny"
    assert set(delete["Action"]) == {"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration"}
    assert policy["DenyWritesOutsideIncoming"]["NotResource"] == f"arn:aws:s3:::{raw}/incoming/*"
    # no uploaders declared in envs/local: nobody is granted upload by the policy
    assert not [s for s in policy.values() if s["Effect"] == "Allow"]
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchLifecycleConfiguration"):
        s3.get_bucket_lifecycle_configuration(Bucket=raw)


def test_terraform_puts_objects_only_in_the_artifacts_bucket(s3, out):
    for bucket in ("raw", "curated", "quarantine"):
        assert s3.list_objects_v2(Bucket=out[f"{bucket}_bucket"])["KeyCount"] == 0
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=out["artifacts_bucket"])["Contents"])
    assert [k.split("-")[0] for k in keys] == ["lambda/handler", "lambda/pyarrow"]


@pytest.mark.parametrize("dataset", DATASETS)
def test_each_function_gets_its_configuration_from_terraform(deployed_lake, out, dataset):
    lam = deployed_lake.aws.client("lambda")
    fn = lam.get_function_configuration(FunctionName=f"{PREFIX}-etl-{dataset}")
    assert fn["Environment"]["Variables"] == {
        "DATASET": dataset,
        "SCHEMA_VERSION": "1",
        "RAW_BUCKET": out["raw_bucket"],
        "CURATED_BUCKET": out["curated_bucket"],
        "CURATED_PREFIX": f"dataset/{dataset}/schema=1",
        "QUARANTINE_BUCKET": out["quarantine_bucket"],
    }
    assert fn["Role"] == out["role_arns"]["etl"]
    assert fn["Runtime"] == "python3.12"
    assert fn["Handler"] == "handler.app.lambda_handler"
    assert len(fn["Layers"]) == 1 and ":layer:lake-local-pyarrow:" in fn["Layers"][0]["Arn"]
    invoke = lam.get_function_event_invoke_config(FunctionName=fn["FunctionName"])
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == out["failure_queue_arn"]
    logs = deployed_lake.aws.client("logs")
    (group,) = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{fn['FunctionName']}")["logGroups"]
    assert group["retentionInDays"] == 7


def test_raw_notifications_route_each_dataset_to_its_function(s3, out):
    config = s3.get_bucket_notification_configuration(Bucket=out["raw_bucket"])
    routes = set()
    for c in config["LambdaFunctionConfigurations"]:
        rules = {r["Name"].lower(): r["Value"] for r in c["Filter"]["Key"]["FilterRules"]}
        routes.add((c["LambdaFunctionArn"], rules["prefix"], rules["suffix"], tuple(c["Events"])))
    assert routes == {
        (out["functions"][ds]["arn"], f"incoming/{ds}/", suffix, ("s3:ObjectCreated:*",))
        for ds in DATASETS
        for suffix in (".json", ".json.gz")
    }


@pytest.mark.parametrize("dataset", DATASETS)
def test_each_crawler_crawls_exactly_its_declared_table_and_only_logs_changes(deployed_lake, out, dataset):
    crawler = deployed_lake.aws.client("glue").get_crawler(Name=f"{PREFIX}-{dataset}-v1")["Crawler"]
    targets = crawler["Targets"]
    assert [(t["DatabaseName"], t["Tables"]) for t in targets["CatalogTargets"]] == [
        (out["glue_database"], [f"{dataset}_v1"])
    ]
    assert not any(targets.get(kind) for kind in ("S3Targets", "JdbcTargets", "DynamoDBTargets"))
    table = deployed_lake.aws.client("glue").get_table(DatabaseName=out["glue_database"], Name=f"{dataset}_v1")
    location = table["Table"]["StorageDescriptor"]["Location"]
    assert location == f"s3://{out['curated_bucket']}/{out['functions'][dataset]['curated_prefix']}/"
    assert crawler["SchemaChangePolicy"] == {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"}
    assert crawler["Role"] in (out["role_arns"]["crawler"], f"{PREFIX}-crawler")
    assert crawler["DatabaseName"] == out["glue_database"]
    assert crawler["Schedule"]["ScheduleExpression"] == "cron(0 3 * * ? *)"
    logs = deployed_lake.aws.client("logs")
    (group,) = logs.describe_log_groups(logGroupNamePrefix="/aws-glue/crawlers")["logGroups"]
    assert group["retentionInDays"] == 7


@pytest.mark.parametrize("contract", [c for c in discover() if c.dataset in DATASETS], ids=lambda c: c.table_name)
def test_each_table_is_declared_from_its_contract(deployed_lake, out, contract):
    glue = deployed_lake.aws.client("glue")
    table = glue.get_table(DatabaseName=out["glue_database"], Name=contract.table_name)["Table"]
    sd = table["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == glue_columns(contract)
    assert [(k["Name"], k["Type"]) for k in table["PartitionKeys"]] == [("dt", "string")]
    assert sd["Location"] == f"s3://{out['curated_bucket']}/{contract.curated_prefix}/"
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert out["tables"][contract.table_name]["location"] == sd["Location"]


def test_workgroup_enforces_its_configuration(deployed_lake, out):
    wg = deployed_lake.aws.client("athena").get_work_group(WorkGroup=out["athena_workgroup"])["WorkGroup"]
    config = wg["Configuration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["BytesScannedCutoffPerQuery"] == 1024**3
    result = config["ResultConfiguration"]
    assert result["OutputLocation"] == f"s3://{out['results_bucket']}/results/"
    assert result["EncryptionConfiguration"] == {"EncryptionOption": "SSE_KMS", "KmsKey": out["kms_key_arn"]}


def test_each_role_is_assumable_by_exactly_its_service(deployed_lake):
    iam = deployed_lake.aws.client("iam")
    expected = {
        "etl": {"Service": "lambda.amazonaws.com"},
        "crawler": {"Service": "glue.amazonaws.com"},
        "analyst": {"AWS": "arn:aws:iam::123456789012:root"},
        "drift-reader": {"AWS": "arn:aws:iam::123456789012:root"},
    }
    for service, principal in expected.items():
        role = iam.get_role(RoleName=f"{PREFIX}-{service}")["Role"]
        (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == principal, service
        assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"] == [f"{role['RoleName']}-permissions"]
        assert iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"] == []


def test_a_second_plan_of_each_layer_right_after_apply_has_nothing_to_do(deployed_lake):
    assert deployed_lake.plan_exitcodes() == {layer: 0 for layer in ("foundation", "ingestion", "catalog", "query")}
