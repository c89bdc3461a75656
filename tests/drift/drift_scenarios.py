"""ClickOps scenarios: each is a change a person could make in the console, made through boto3, with the finding
the drift check must produce and a revert that puts the deployment back exactly.

``mutate(aws, outputs)`` makes the change and returns the revert. ``terraform_sees`` says whether
``terraform plan -refresh-only`` can notice it (on which address), for the oracle test.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass

GLUE = "module.lake.module.glue"
S3 = "module.lake.module.s3"
IAM = "module.lake.module.iam"
LAMBDA = "module.lake.module.lambda"
ATHENA = "module.lake.module.athena"

# the fields of GetCrawler that CreateCrawler / UpdateCrawler accept
CRAWLER_INPUT = (
    "Name",
    "Role",
    "DatabaseName",
    "Description",
    "Targets",
    "TablePrefix",
    "SchemaChangePolicy",
    "RecrawlPolicy",
    "LineageConfiguration",
    "Configuration",
    "CrawlerSecurityConfiguration",
)
TABLE_INPUT = (
    "Name",
    "Description",
    "Owner",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "TableType",
    "Parameters",
)


@dataclass(frozen=True)
class Scenario:
    name: str
    mutate: Callable
    kind: str  # deleted | changed | unmanaged
    address: str  # exact address (managed) or the unmanaged finding's address
    attribute: str | None = None  # a changed path must start with this
    critical: bool = True
    parent: str | None = None  # for unmanaged: the managed resource it hangs off
    terraform_sees: str | None = None  # the address refresh-only reports as drifted (None: invisible to Terraform)


def _crawler_input(crawler: dict) -> dict:
    out = {k: copy.deepcopy(crawler[k]) for k in CRAWLER_INPUT if k in crawler}
    if "Schedule" in crawler and crawler["Schedule"].get("ScheduleExpression"):
        out["Schedule"] = crawler["Schedule"]["ScheduleExpression"]
    return out


def _crawler_arn(aws, name: str) -> str:
    return f"arn:aws:glue:{aws.region}:123456789012:crawler/{name}"


def _saved_crawler(aws, name: str) -> dict:
    """A crawler's CreateCrawler arguments, tags included (moto has no UpdateCrawler: changes are delete + create)."""
    glue = aws.client("glue")
    saved = _crawler_input(glue.get_crawler(Name=name)["Crawler"])
    tags = glue.get_tags(ResourceArn=_crawler_arn(aws, name)).get("Tags", {})
    return {**saved, **({"Tags": tags} if tags else {})}


def _replace_crawler(aws, definition: dict) -> None:
    glue = aws.client("glue")
    glue.delete_crawler(Name=definition["Name"])
    glue.create_crawler(**definition)


def _update_crawler(aws, name: str, change: Callable[[dict], None]):
    before = _saved_crawler(aws, name)
    after = copy.deepcopy(before)
    change(after)
    _replace_crawler(aws, after)
    return lambda: _replace_crawler(aws, before)


def delete_crawler(aws, out):
    saved = _saved_crawler(aws, out["crawlers"]["users_v1"])
    aws.client("glue").delete_crawler(Name=saved["Name"])
    return lambda: aws.client("glue").create_crawler(**saved)


def suspend_raw_versioning(aws, out):
    s3 = aws.client("s3")
    s3.put_bucket_versioning(Bucket=out["raw_bucket"], VersioningConfiguration={"Status": "Suspended"})
    return lambda: s3.put_bucket_versioning(Bucket=out["raw_bucket"], VersioningConfiguration={"Status": "Enabled"})


def s3_star_on_etl(aws, out):
    iam = aws.client("iam")
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_role_policy(RoleName="lake-local-etl", PolicyName="quick-fix", PolicyDocument=json.dumps(doc))
    return lambda: iam.delete_role_policy(RoleName="lake-local-etl", PolicyName="quick-fix")


def s3_full_access_on_crawler(aws, out):
    iam = aws.client("iam")
    arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
    iam.attach_role_policy(RoleName="lake-local-crawler", PolicyArn=arn)
    return lambda: iam.detach_role_policy(RoleName="lake-local-crawler", PolicyArn=arn)


def crawler_target_to_other_table(aws, out):
    def change(c):
        c["Targets"]["CatalogTargets"][0]["Tables"] = ["schema_1"]

    return _update_crawler(aws, out["crawlers"]["users_v1"], change)


def crawler_updates_schema(aws, out):
    def change(c):
        c["SchemaChangePolicy"]["UpdateBehavior"] = "UPDATE_IN_DATABASE"

    return _update_crawler(aws, out["crawlers"]["tweets_v1"], change)


def _saved_workgroup(aws, name: str) -> dict:
    athena = aws.client("athena")
    group = athena.get_work_group(WorkGroup=name)["WorkGroup"]
    arn = f"arn:aws:athena:{aws.region}:123456789012:workgroup/{name}"
    tags = athena.list_tags_for_resource(ResourceARN=arn).get("Tags", [])
    return {
        "Name": name,
        "Configuration": group["Configuration"],
        "Description": group.get("Description", ""),
        **({"Tags": tags} if tags else {}),
    }


def _replace_workgroup(aws, definition: dict) -> None:
    athena = aws.client("athena")
    athena.delete_work_group(WorkGroup=definition["Name"], RecursiveDeleteOption=True)
    athena.create_work_group(**definition)


def workgroup_not_enforced(aws, out):
    # moto has no UpdateWorkGroup: the change is made as delete + create with the edited configuration
    before = _saved_workgroup(aws, out["athena_workgroup"])
    after = copy.deepcopy(before)
    after["Configuration"]["EnforceWorkGroupConfiguration"] = False
    _replace_workgroup(aws, after)
    return lambda: _replace_workgroup(aws, before)


def public_access_block_removed(aws, out):
    s3 = aws.client("s3")
    bucket = out["curated_bucket"]
    saved = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    s3.delete_public_access_block(Bucket=bucket)
    return lambda: s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=saved)


def _update_env(aws, function: str, change: Callable[[dict], None]):
    lam = aws.client("lambda")
    before = lam.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    after = dict(before)
    change(after)
    lam.update_function_configuration(FunctionName=function, Environment={"Variables": after})
    return lambda: lam.update_function_configuration(FunctionName=function, Environment={"Variables": before})


def lambda_prefix_changed(aws, out):
    return _update_env(
        aws, out["functions"]["users"]["name"], lambda v: v.update(CURATED_PREFIX="dataset/users/schema=1/hotfix")
    )


def lambda_debug_var_added(aws, out):
    return _update_env(aws, out["functions"]["tweets"]["name"], lambda v: v.update(LOG_LEVEL="DEBUG"))


def _retention(aws, group: str, days: int | None):
    logs = aws.client("logs")
    before = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0].get("retentionInDays")
    if days is None:
        logs.delete_retention_policy(logGroupName=group)
    else:
        logs.put_retention_policy(logGroupName=group, retentionInDays=days)
    return lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=before)


def log_retention_changed(aws, out):
    return _retention(aws, f"/aws/lambda/{out['functions']['users']['name']}", 1)


def log_retention_removed(aws, out):
    return _retention(aws, "/aws-glue/crawlers", None)


def glue_column_type_changed(aws, out):
    glue = aws.client("glue")
    table = glue.get_table(DatabaseName=out["glue_database"], Name="users_v1")["Table"]
    before = {k: copy.deepcopy(table[k]) for k in TABLE_INPUT if k in table}
    after = copy.deepcopy(before)
    column = next(c for c in after["StorageDescriptor"]["Columns"] if c["Type"] == "bigint")
    column["Type"] = "string"
    glue.update_table(DatabaseName=out["glue_database"], TableInput=after)
    return lambda: glue.update_table(DatabaseName=out["glue_database"], TableInput=before)


def extra_raw_notification(aws, out):
    s3 = aws.client("s3")
    bucket = out["raw_bucket"]
    before = s3.get_bucket_notification_configuration(Bucket=bucket)
    before.pop("ResponseMetadata", None)
    after = copy.deepcopy(before)
    after.setdefault("QueueConfigurations", []).append(
        {"Id": "console-added", "QueueArn": out["failure_queue_arn"], "Events": ["s3:ObjectRemoved:*"]}
    )
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=after)
    return lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=before)


def raw_bucket_policy_deleted(aws, out):
    s3 = aws.client("s3")
    bucket = out["raw_bucket"]
    saved = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)
    return lambda: s3.put_bucket_policy(Bucket=bucket, Policy=saved)


def quarantine_encryption_aes256(aws, out):
    s3 = aws.client("s3")
    bucket = out["quarantine_bucket"]
    saved = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    return lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=saved)


def failure_destination_removed(aws, out):
    lam = aws.client("lambda")
    function = out["functions"]["users"]["name"]
    saved = lam.get_function_event_invoke_config(FunctionName=function)
    lam.delete_function_event_invoke_config(FunctionName=function)
    return lambda: lam.put_function_event_invoke_config(
        FunctionName=function,
        MaximumRetryAttempts=saved["MaximumRetryAttempts"],
        MaximumEventAgeInSeconds=saved["MaximumEventAgeInSeconds"],
        DestinationConfig=saved["DestinationConfig"],
    )


def unmanaged_crawler_on_raw(aws, out):
    glue = aws.client("glue")
    glue.create_crawler(
        Name="lake-local-adhoc",
        Role=out["role_arns"]["crawler"],
        DatabaseName=out["glue_database"],
        Targets={"S3Targets": [{"Path": f"s3://{out['raw_bucket']}/incoming/"}]},
        SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "DELETE_FROM_DATABASE"},
    )
    return lambda: glue.delete_crawler(Name="lake-local-adhoc")


def unmanaged_prefixed_bucket(aws, out):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="lake-local-scratch")
    return lambda: s3.delete_bucket(Bucket="lake-local-scratch")


def etl_trust_widened(aws, out):
    iam = aws.client("iam")
    role = iam.get_role(RoleName="lake-local-crawler")["Role"]
    before = role["AssumeRolePolicyDocument"]
    after = copy.deepcopy(before)
    after["Statement"].append(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    )
    iam.update_assume_role_policy(RoleName="lake-local-crawler", PolicyDocument=json.dumps(after))
    return lambda: iam.update_assume_role_policy(RoleName="lake-local-crawler", PolicyDocument=json.dumps(before))


def ownership_object_writer(aws, out):
    s3 = aws.client("s3")
    bucket = out["results_bucket"]
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    return lambda: s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )


def _crawler(key):
    return f'{GLUE}.aws_glue_crawler.this["{key}"]'


SCENARIOS = [
    Scenario(
        "crawler deleted",
        delete_crawler,
        "deleted",
        _crawler("users_v1"),
        terraform_sees=_crawler("users_v1"),
    ),
    Scenario(
        "raw versioning suspended",
        suspend_raw_versioning,
        "changed",
        f"{S3}.aws_s3_bucket_versioning.raw",
        "versioning_configuration[0].status",
        terraform_sees=f"{S3}.aws_s3_bucket_versioning.raw",
    ),
    Scenario(
        "s3:* inline policy on the etl role",
        s3_star_on_etl,
        "unmanaged",
        "aws_iam_role_policy:lake-local-etl:quick-fix",
        parent=f'{IAM}.aws_iam_role.this["etl"]',
        terraform_sees=f'{IAM}.aws_iam_role.this["etl"]',
    ),
    Scenario(
        "AmazonS3FullAccess attached to the crawler role",
        s3_full_access_on_crawler,
        "unmanaged",
        "aws_iam_role_policy_attachment:lake-local-crawler/arn:aws:iam::aws:policy/AmazonS3FullAccess",
        parent=f'{IAM}.aws_iam_role.this["crawler"]',
        terraform_sees=f'{IAM}.aws_iam_role.this["crawler"]',
    ),
    Scenario(
        "crawler catalog target moved to another table",
        crawler_target_to_other_table,
        "changed",
        _crawler("users_v1"),
        "catalog_target[0].tables[0]",
        terraform_sees=_crawler("users_v1"),
    ),
    Scenario(
        "crawler schema policy UPDATE_IN_DATABASE",
        crawler_updates_schema,
        "changed",
        _crawler("tweets_v1"),
        "schema_change_policy[0].update_behavior",
        terraform_sees=_crawler("tweets_v1"),
    ),
    Scenario(
        "workgroup enforcement off",
        workgroup_not_enforced,
        "changed",
        f"{ATHENA}.aws_athena_workgroup.this",
        "configuration[0].enforce_workgroup_configuration",
        terraform_sees=f"{ATHENA}.aws_athena_workgroup.this",
    ),
    Scenario(
        "curated public access block removed",
        public_access_block_removed,
        "deleted",
        f'{S3}.aws_s3_bucket_public_access_block.this["curated"]',
        terraform_sees=f'{S3}.aws_s3_bucket_public_access_block.this["curated"]',
    ),
    Scenario(
        "Lambda CURATED_PREFIX changed",
        lambda_prefix_changed,
        "changed",
        f'{LAMBDA}.aws_lambda_function.etl["users"]',
        "environment[0].variables.CURATED_PREFIX",
        terraform_sees=f'{LAMBDA}.aws_lambda_function.etl["users"]',
    ),
    Scenario(
        "Lambda env var added (harmless)",
        lambda_debug_var_added,
        "changed",
        f'{LAMBDA}.aws_lambda_function.etl["tweets"]',
        "environment[0].variables.LOG_LEVEL",
        critical=False,
        terraform_sees=f'{LAMBDA}.aws_lambda_function.etl["tweets"]',
    ),
    Scenario(
        "Lambda log retention shortened",
        log_retention_changed,
        "changed",
        f'{LAMBDA}.aws_cloudwatch_log_group.etl["users"]',
        "retention_in_days",
        critical=False,
        terraform_sees=f'{LAMBDA}.aws_cloudwatch_log_group.etl["users"]',
    ),
    Scenario(
        "crawler log retention removed",
        log_retention_removed,
        "changed",
        f"{GLUE}.aws_cloudwatch_log_group.crawlers[0]",
        "retention_in_days",
        terraform_sees=f"{GLUE}.aws_cloudwatch_log_group.crawlers[0]",
    ),
    Scenario(
        "Glue column type changed",
        glue_column_type_changed,
        "changed",
        f'{GLUE}.aws_glue_catalog_table.this["users_v1"]',
        "storage_descriptor[0].columns",
        terraform_sees=f'{GLUE}.aws_glue_catalog_table.this["users_v1"]',
    ),
    Scenario(
        "extra notification on raw",
        extra_raw_notification,
        "unmanaged",
        "aws_s3_bucket_notification:lake-local-raw/console-added",
        critical=False,
        parent="module.lake.aws_s3_bucket_notification.raw",
        terraform_sees="module.lake.aws_s3_bucket_notification.raw",
    ),
    Scenario(
        "raw bucket policy deleted",
        raw_bucket_policy_deleted,
        "deleted",
        f'{S3}.aws_s3_bucket_policy.this["raw"]',
        terraform_sees=f'{S3}.aws_s3_bucket_policy.this["raw"]',
    ),
    Scenario(
        "quarantine encryption switched to AES256",
        quarantine_encryption_aes256,
        "changed",
        f'{S3}.aws_s3_bucket_server_side_encryption_configuration.this["quarantine"]',
        "rule[0]",
        terraform_sees=f'{S3}.aws_s3_bucket_server_side_encryption_configuration.this["quarantine"]',
    ),
    Scenario(
        "Lambda failure destination removed",
        failure_destination_removed,
        "deleted",
        f'{LAMBDA}.aws_lambda_function_event_invoke_config.etl["users"]',
        terraform_sees=f'{LAMBDA}.aws_lambda_function_event_invoke_config.etl["users"]',
    ),
    Scenario(
        "unmanaged crawler on raw in the lake database",
        unmanaged_crawler_on_raw,
        "unmanaged",
        "aws_glue_crawler:lake-local-adhoc",
        parent=f"{GLUE}.aws_glue_catalog_database.this",
    ),
    Scenario(
        "unmanaged bucket with the lake prefix",
        unmanaged_prefixed_bucket,
        "unmanaged",
        "aws_s3_bucket:lake-local-scratch",
    ),
    Scenario(
        "crawler role trusts lambda too",
        etl_trust_widened,
        "changed",
        f'{IAM}.aws_iam_role.this["crawler"]',
        "assume_role_policy",
        terraform_sees=f'{IAM}.aws_iam_role.this["crawler"]',
    ),
    Scenario(
        "results bucket ownership ObjectWriter",
        ownership_object_writer,
        "changed",
        f'{S3}.aws_s3_bucket_ownership_controls.this["athena_results"]',
        "rule[0].object_ownership",
        terraform_sees=f'{S3}.aws_s3_bucket_ownership_controls.this["athena_results"]',
    ),
]
