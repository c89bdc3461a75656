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

GLUE = "module.catalog.module.glue"
S3 = "module.foundation.module.s3"
IAM = "module.foundation.module.iam"
LAMBDA = "module.ingestion.module.lambda"
ATHENA = "module.query.module.athena"

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
    attack: str | None = None  # the entry of the attack catalogue (drift.attacks) this scenario proves


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
        attack="glue-crawler-deleted",
    ),
    Scenario(
        "raw versioning suspended",
        suspend_raw_versioning,
        "changed",
        f"{S3}.aws_s3_bucket_versioning.raw",
        "versioning_configuration[0].status",
        terraform_sees=f"{S3}.aws_s3_bucket_versioning.raw",
        attack="raw-versioning-suspended",
    ),
    Scenario(
        "s3:* inline policy on the etl role",
        s3_star_on_etl,
        "unmanaged",
        "aws_iam_role_policy:lake-local-etl:quick-fix",
        parent=f'{IAM}.aws_iam_role.this["etl"]',
        terraform_sees=f'{IAM}.aws_iam_role.this["etl"]',
        attack="role-inline-wildcard",
    ),
    Scenario(
        "AmazonS3FullAccess attached to the crawler role",
        s3_full_access_on_crawler,
        "unmanaged",
        "aws_iam_role_policy_attachment:lake-local-crawler/arn:aws:iam::aws:policy/AmazonS3FullAccess",
        parent=f'{IAM}.aws_iam_role.this["crawler"]',
        terraform_sees=f'{IAM}.aws_iam_role.this["crawler"]',
        attack="role-aws-managed-attached",
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
        attack="glue-crawler-updates-schema",
    ),
    Scenario(
        "workgroup enforcement off",
        workgroup_not_enforced,
        "changed",
        f"{ATHENA}.aws_athena_workgroup.this",
        "configuration[0].enforce_workgroup_configuration",
        terraform_sees=f"{ATHENA}.aws_athena_workgroup.this",
        attack="athena-not-enforced",
    ),
    Scenario(
        "curated public access block removed",
        public_access_block_removed,
        "deleted",
        f'{S3}.aws_s3_bucket_public_access_block.this["curated"]',
        terraform_sees=f'{S3}.aws_s3_bucket_public_access_block.this["curated"]',
        attack="bucket-public-access-block-deleted",
    ),
    Scenario(
        "Lambda CURATED_PREFIX changed",
        lambda_prefix_changed,
        "changed",
        f'{LAMBDA}.aws_lambda_function.etl["users"]',
        "environment[0].variables.CURATED_PREFIX",
        terraform_sees=f'{LAMBDA}.aws_lambda_function.etl["users"]',
        attack="function-env-prefix-changed",
    ),
    Scenario(
        "Lambda env var added (harmless)",
        lambda_debug_var_added,
        "changed",
        f'{LAMBDA}.aws_lambda_function.etl["tweets"]',
        "environment[0].variables.LOG_LEVEL",
        critical=False,
        terraform_sees=f'{LAMBDA}.aws_lambda_function.etl["tweets"]',
        attack="function-env-var-added",
    ),
    Scenario(
        "Lambda log retention shortened",
        log_retention_changed,
        "changed",
        f'{LAMBDA}.aws_cloudwatch_log_group.etl["users"]',
        "retention_in_days",
        critical=False,
        terraform_sees=f'{LAMBDA}.aws_cloudwatch_log_group.etl["users"]',
        attack="logs-retention-shortened",
    ),
    Scenario(
        "crawler log retention removed",
        log_retention_removed,
        "changed",
        f"{GLUE}.aws_cloudwatch_log_group.crawlers[0]",
        "retention_in_days",
        terraform_sees=f"{GLUE}.aws_cloudwatch_log_group.crawlers[0]",
        attack="logs-retention-removed",
    ),
    Scenario(
        "Glue column type changed",
        glue_column_type_changed,
        "changed",
        f'{GLUE}.aws_glue_catalog_table.this["users_v1"]',
        "storage_descriptor[0].columns",
        terraform_sees=f'{GLUE}.aws_glue_catalog_table.this["users_v1"]',
        attack="glue-column-type-changed",
    ),
    Scenario(
        "extra notification on raw",
        extra_raw_notification,
        "unmanaged",
        "aws_s3_bucket_notification:lake-local-raw/console-added",
        critical=False,
        parent="module.ingestion.aws_s3_bucket_notification.raw",
        terraform_sees="module.ingestion.aws_s3_bucket_notification.raw",
        attack="raw-notification-added",
    ),
    Scenario(
        "raw bucket policy deleted",
        raw_bucket_policy_deleted,
        "deleted",
        f'{S3}.aws_s3_bucket_policy.this["raw"]',
        terraform_sees=f'{S3}.aws_s3_bucket_policy.this["raw"]',
        attack="raw-policy-deleted",
    ),
    Scenario(
        "quarantine encryption switched to AES256",
        quarantine_encryption_aes256,
        "changed",
        f'{S3}.aws_s3_bucket_server_side_encryption_configuration.this["quarantine"]',
        "rule[0]",
        terraform_sees=f'{S3}.aws_s3_bucket_server_side_encryption_configuration.this["quarantine"]',
        attack="bucket-encryption-aes256",
    ),
    Scenario(
        "Lambda failure destination removed",
        failure_destination_removed,
        "deleted",
        f'{LAMBDA}.aws_lambda_function_event_invoke_config.etl["users"]',
        terraform_sees=f'{LAMBDA}.aws_lambda_function_event_invoke_config.etl["users"]',
        attack="function-failure-destination-removed",
    ),
    Scenario(
        "unmanaged crawler on raw in the lake database",
        unmanaged_crawler_on_raw,
        "unmanaged",
        "aws_glue_crawler:lake-local-adhoc",
        parent=f"{GLUE}.aws_glue_catalog_database.this",
        attack="glue-crawler-added",
    ),
    Scenario(
        "unmanaged bucket with the lake prefix",
        unmanaged_prefixed_bucket,
        "unmanaged",
        "aws_s3_bucket:lake-local-scratch",
        attack="bucket-prefixed-created",
    ),
    Scenario(
        "crawler role trusts lambda too",
        etl_trust_widened,
        "changed",
        f'{IAM}.aws_iam_role.this["crawler"]',
        "assume_role_policy",
        terraform_sees=f'{IAM}.aws_iam_role.this["crawler"]',
        attack="role-trust-widened",
    ),
    Scenario(
        "results bucket ownership ObjectWriter",
        ownership_object_writer,
        "changed",
        f'{S3}.aws_s3_bucket_ownership_controls.this["athena_results"]',
        "rule[0].object_ownership",
        terraform_sees=f'{S3}.aws_s3_bucket_ownership_controls.this["athena_results"]',
        attack="bucket-ownership-object-writer",
    ),
]


# ---------------------------------------------------------------- the attack catalogue (drift.attacks)
# One scenario per catalogue entry the local endpoint can make. They run in batches (``batches``): every
# scenario of a batch touches its own object, so one drift check sees them all, each judged on its own.

ACCOUNT = "123456789012"
FOREIGN_ACCOUNT = "999999999999"
S3_STAR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _put_lifecycle(aws, out, rule: dict):
    s3 = aws.client("s3")
    bucket = out["raw_bucket"]
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [{"ID": "console", "Status": "Enabled", "Filter": {"Prefix": ""}, **rule}]},
    )
    return lambda: s3.delete_bucket_lifecycle(Bucket=bucket)


def raw_lifecycle_expiry(aws, out):
    return _put_lifecycle(aws, out, {"Expiration": {"Days": 30}})


def raw_lifecycle_noncurrent_expiry(aws, out):
    return _put_lifecycle(aws, out, {"NoncurrentVersionExpiration": {"NoncurrentDays": 30}})


def raw_lifecycle_archive(aws, out):
    return _put_lifecycle(aws, out, {"Transitions": [{"Days": 30, "StorageClass": "DEEP_ARCHIVE"}]})


def _edit_bucket_policy(aws, bucket: str, change: Callable[[dict], None]):
    s3 = aws.client("s3")
    saved = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    document = json.loads(saved)
    change(document)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))
    return lambda: s3.put_bucket_policy(Bucket=bucket, Policy=saved)


def raw_policy_guard_removed(aws, out):
    def drop_guard(doc):
        doc["Statement"] = [st for st in doc["Statement"] if "s3:if-none-match" not in json.dumps(st)]

    return _edit_bucket_policy(aws, out["raw_bucket"], drop_guard)


def bucket_policy_public(aws, out):
    # AWS refuses this under BlockPublicPolicy (AccessDenied); moto accepts it. The change is still the one to catch.
    def public_read(doc):
        doc["Statement"].append(
            {
                "Sid": "ConsolePublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{out['artifacts_bucket']}/*",
            }
        )

    return _edit_bucket_policy(aws, out["artifacts_bucket"], public_read)


def raw_acl_grant(aws, out):
    # AWS refuses ACLs under BucketOwnerEnforced (AccessControlListNotSupported); moto accepts them.
    s3 = aws.client("s3")
    bucket = out["raw_bucket"]
    saved = s3.get_bucket_acl(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    return lambda: s3.put_bucket_acl(
        Bucket=bucket, AccessControlPolicy={"Grants": saved["Grants"], "Owner": saved["Owner"]}
    )


def raw_replication_foreign(aws, out):
    s3 = aws.client("s3")
    bucket = out["raw_bucket"]
    s3.put_bucket_replication(
        Bucket=bucket,
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{ACCOUNT}:role/console-replication",
            "Rules": [
                {
                    "ID": "to-partner",
                    "Status": "Enabled",
                    "Priority": 1,
                    "Filter": {"Prefix": ""},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": "arn:aws:s3:::partner-archive", "Account": FOREIGN_ACCOUNT},
                }
            ],
        },
    )
    return lambda: s3.delete_bucket_replication(Bucket=bucket)


def raw_cors(aws, out):
    s3 = aws.client("s3")
    bucket = out["raw_bucket"]
    s3.put_bucket_cors(
        Bucket=bucket, CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}
    )
    return lambda: s3.delete_bucket_cors(Bucket=bucket)


def raw_website(aws, out):
    s3 = aws.client("s3")
    bucket = out["raw_bucket"]
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    return lambda: s3.delete_bucket_website(Bucket=bucket)


def public_access_block_relaxed(aws, out):
    s3 = aws.client("s3")
    bucket = out["quarantine_bucket"]
    saved = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={**saved, "BlockPublicPolicy": False})
    return lambda: s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=saved)


def encryption_deleted(aws, out):
    # AWS cannot remove default encryption (it falls back to SSE-S3); moto removes it. Both break SSE-KMS.
    s3 = aws.client("s3")
    bucket = out["results_bucket"]
    saved = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    s3.delete_bucket_encryption(Bucket=bucket)
    return lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=saved)


def customer_policy_on_analyst(aws, out):
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="console-s3-admin", PolicyDocument=json.dumps(S3_STAR))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="lake-local-analyst", PolicyArn=arn)

    def revert():
        iam.detach_role_policy(RoleName="lake-local-analyst", PolicyArn=arn)
        iam.delete_policy(PolicyArn=arn)

    return revert


def boundary_on_etl(aws, out):
    iam = aws.client("iam")
    iam.put_role_permissions_boundary(
        RoleName="lake-local-etl", PermissionsBoundary="arn:aws:iam::aws:policy/PowerUserAccess"
    )
    return lambda: iam.delete_role_permissions_boundary(RoleName="lake-local-etl")


def prefixed_role(aws, out):
    iam = aws.client("iam")
    iam.create_role(RoleName="lake-local-hotfix", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    return lambda: iam.delete_role(RoleName="lake-local-hotfix")


def prefixed_wildcard_policy(aws, out):
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="lake-local-s3-admin", PolicyDocument=json.dumps(S3_STAR))["Policy"]["Arn"]
    return lambda: iam.delete_policy(PolicyArn=arn)


def _function(out, dataset: str) -> str:
    return out["functions"][dataset]["name"]


def function_code_updated(aws, out):
    import io
    import zipfile

    lam, s3 = aws.client("lambda"), aws.client("s3")
    function = _function(out, "users")
    bucket = out["artifacts_bucket"]
    key = next(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"] if "handler" in o["Key"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("handler/app.py", "def lambda_handler(event, context):\n    return 'hotfix'\n")
    lam.update_function_code(FunctionName=function, ZipFile=buffer.getvalue())
    return lambda: lam.update_function_code(FunctionName=function, S3Bucket=bucket, S3Key=key)


def _update_config(aws, function: str, **change):
    lam = aws.client("lambda")
    config = lam.get_function_configuration(FunctionName=function)
    before = {key: config[key] for key in change if key in config and key != "Layers"}
    if "Layers" in change:
        before["Layers"] = [layer["Arn"] for layer in config.get("Layers", [])]
    lam.update_function_configuration(FunctionName=function, **change)
    return lambda: lam.update_function_configuration(FunctionName=function, **before)


def function_handler_changed(aws, out):
    return _update_config(aws, _function(out, "users"), Handler="handler.app.handler")


def function_runtime_changed(aws, out):
    return _update_config(aws, _function(out, "tweets"), Runtime="python3.11")


def function_layers_removed(aws, out):
    return _update_config(aws, _function(out, "users"), Layers=[])


def function_memory_changed(aws, out):
    return _update_config(aws, _function(out, "tweets"), MemorySize=2048)


def function_tag_added(aws, out):
    lam = aws.client("lambda")
    arn = out["functions"]["users"]["arn"]
    lam.tag_resource(Resource=arn, Tags={"owner": "console"})
    return lambda: lam.untag_resource(Resource=arn, TagKeys=["owner"])


def function_url_created(aws, out):
    lam = aws.client("lambda")
    function = _function(out, "users")
    lam.create_function_url_config(FunctionName=function, AuthType="NONE")
    return lambda: lam.delete_function_url_config(FunctionName=function)


def function_permission_foreign(aws, out):
    lam = aws.client("lambda")
    function = _function(out, "tweets")
    lam.add_permission(
        FunctionName=function,
        StatementId="console-partner",
        Action="lambda:InvokeFunction",
        Principal=FOREIGN_ACCOUNT,
    )
    return lambda: lam.remove_permission(FunctionName=function, StatementId="console-partner")


def function_alias_created(aws, out):
    lam = aws.client("lambda")
    function = _function(out, "users")
    lam.create_alias(FunctionName=function, Name="live", FunctionVersion="$LATEST")
    return lambda: lam.delete_alias(FunctionName=function, Name="live")


def function_event_source_mapping(aws, out):
    sqs, lam = aws.client("sqs"), aws.client("lambda")
    url = sqs.create_queue(QueueName="console-feed")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=_function(out, "tweets"))["UUID"]

    def revert():
        lam.delete_event_source_mapping(UUID=uuid)
        sqs.delete_queue(QueueUrl=url)

    return revert


def _table_input(aws, out, name: str) -> dict:
    table = aws.client("glue").get_table(DatabaseName=out["glue_database"], Name=name)["Table"]
    return {k: copy.deepcopy(table[k]) for k in TABLE_INPUT if k in table}


def _update_table(aws, out, name: str, change: Callable[[dict], None]):
    glue = aws.client("glue")
    before = _table_input(aws, out, name)
    after = copy.deepcopy(before)
    change(after)
    glue.update_table(DatabaseName=out["glue_database"], TableInput=after)
    return lambda: glue.update_table(DatabaseName=out["glue_database"], TableInput=before)


def glue_table_in_raw(aws, out):
    glue = aws.client("glue")
    table = _table_input(aws, out, "users_v1")
    table["Name"] = "console_raw"
    table["StorageDescriptor"]["Location"] = f"s3://{out['raw_bucket']}/incoming/users/"
    glue.create_table(DatabaseName=out["glue_database"], TableInput=table)
    return lambda: glue.delete_table(DatabaseName=out["glue_database"], Name="console_raw")


def glue_table_location_quarantine(aws, out):
    def change(t):
        t["StorageDescriptor"]["Location"] = f"s3://{out['quarantine_bucket']}/tweets/"

    return _update_table(aws, out, "tweets_v1", change)


def glue_table_parameters_changed(aws, out):
    return _update_table(aws, out, "users_v1", lambda t: t.setdefault("Parameters", {}).update(owner="console"))


def glue_partition_in_raw(aws, out):
    glue = aws.client("glue")
    table = _table_input(aws, out, "users_v1")
    descriptor = copy.deepcopy(table["StorageDescriptor"])
    descriptor["Location"] = f"s3://{out['raw_bucket']}/incoming/users/2024/05/01/"
    glue.create_partition(
        DatabaseName=out["glue_database"],
        TableName="users_v1",
        PartitionInput={"Values": ["2024-05-01"], "StorageDescriptor": descriptor},
    )
    return lambda: glue.delete_partition(
        DatabaseName=out["glue_database"], TableName="users_v1", PartitionValues=["2024-05-01"]
    )


def glue_job_added(aws, out):
    glue = aws.client("glue")
    glue.create_job(
        Name="lake-local-backfill",
        Role=out["role_arns"]["crawler"],
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{out['artifacts_bucket']}/backfill.py"},
        DefaultArguments={"--database": out["glue_database"]},
    )
    return lambda: glue.delete_job(JobName="lake-local-backfill")


def _edit_workgroup(aws, out, change: Callable[[dict], None]):
    before = _saved_workgroup(aws, out["athena_workgroup"])
    after = copy.deepcopy(before)
    change(after["Configuration"])
    _replace_workgroup(aws, after)
    return lambda: _replace_workgroup(aws, before)


def athena_output_elsewhere(aws, out):
    def change(c):
        c["ResultConfiguration"]["OutputLocation"] = f"s3://{out['curated_bucket']}/athena/"

    return _edit_workgroup(aws, out, change)


def athena_encryption_removed(aws, out):
    return _edit_workgroup(aws, out, lambda c: c["ResultConfiguration"].pop("EncryptionConfiguration", None))


def athena_cutoff_removed(aws, out):
    return _edit_workgroup(aws, out, lambda c: c.pop("BytesScannedCutoffPerQuery", None))


def athena_other_workgroup(aws, out):
    athena = aws.client("athena")
    athena.create_work_group(
        Name="lake-local-adhoc",
        Configuration={
            "ResultConfiguration": {"OutputLocation": f"s3://{out['results_bucket']}/adhoc/"},
            "EnforceWorkGroupConfiguration": False,
        },
        Tags=[{"Key": "owner", "Value": "console"}],  # moto cannot list the tags of an untagged workgroup
    )
    return lambda: athena.delete_work_group(WorkGroup="lake-local-adhoc", RecursiveDeleteOption=True)


def _key(aws, out) -> str:
    return aws.client("kms").describe_key(KeyId=out["kms_key_arn"])["KeyMetadata"]["KeyId"]


def kms_policy_changed(aws, out):
    kms = aws.client("kms")
    key = _key(aws, out)
    saved = kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
    document = json.loads(saved)
    document["Statement"].append(
        {
            "Sid": "ConsolePartnerDecrypt",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{FOREIGN_ACCOUNT}:root"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
    )
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(document))
    return lambda: kms.put_key_policy(KeyId=key, PolicyName="default", Policy=saved)


def kms_description_changed(aws, out):
    kms = aws.client("kms")
    key = _key(aws, out)
    saved = kms.describe_key(KeyId=key)["KeyMetadata"]["Description"]
    kms.update_key_description(KeyId=key, Description="edited in the console")
    return lambda: kms.update_key_description(KeyId=key, Description=saved)


def kms_grant_created(aws, out):
    kms = aws.client("kms")
    key = _key(aws, out)
    grant = kms.create_grant(
        KeyId=key, GranteePrincipal=f"arn:aws:iam::{FOREIGN_ACCOUNT}:root", Operations=["Decrypt"], Name="console"
    )
    return lambda: kms.revoke_grant(KeyId=key, GrantId=grant["GrantId"])


def kms_key_disabled(aws, out):
    kms = aws.client("kms")
    key = _key(aws, out)
    kms.disable_key(KeyId=key)
    return lambda: kms.enable_key(KeyId=key)


def kms_key_deletion_scheduled(aws, out):
    kms = aws.client("kms")
    key = _key(aws, out)
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)

    def revert():
        kms.cancel_key_deletion(KeyId=key)
        kms.enable_key(KeyId=key)  # a cancelled deletion leaves the key disabled

    return revert


def _queue_attribute(aws, out, name: str, value: str):
    sqs = aws.client("sqs")
    url = out["failure_queue_url"]
    before = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name]).get("Attributes", {}).get(name, "")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
    return lambda: sqs.set_queue_attributes(QueueUrl=url, Attributes={name: before})


def sqs_policy_added(aws, out):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{FOREIGN_ACCOUNT}:root"},
                "Action": "sqs:ReceiveMessage",
                "Resource": out["failure_queue_arn"],
            }
        ],
    }
    return _queue_attribute(aws, out, "Policy", json.dumps(policy))


def sqs_retention_shortened(aws, out):
    return _queue_attribute(aws, out, "MessageRetentionPeriod", "60")


def sqs_prefixed_created(aws, out):
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="lake-local-console")["QueueUrl"]
    return lambda: sqs.delete_queue(QueueUrl=url)


def logs_group_deleted(aws, out):
    logs = aws.client("logs")
    group = f"/aws/lambda/{_function(out, 'tweets')}"
    saved = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    tags = logs.list_tags_log_group(logGroupName=group).get("tags", {})
    logs.delete_log_group(logGroupName=group)

    def revert():
        logs.create_log_group(logGroupName=group, **({"tags": tags} if tags else {}))
        logs.put_retention_policy(logGroupName=group, retentionInDays=saved["retentionInDays"])

    return revert


def logs_subscription_foreign(aws, out):
    logs = aws.client("logs")
    group = f"/aws/lambda/{_function(out, 'users')}"
    logs.put_subscription_filter(
        logGroupName=group,
        filterName="console-export",
        filterPattern="",
        destinationArn=out["functions"]["tweets"]["arn"],
    )
    return lambda: logs.delete_subscription_filter(logGroupName=group, filterName="console-export")


def logs_prefixed_created(aws, out):
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/lake-local-etl-orphan")
    return lambda: logs.delete_log_group(logGroupName="/aws/lambda/lake-local-etl-orphan")


def _attack(attack: str, mutate: Callable, address: str, attribute: str | None = None, parent: str | None = None):
    """A catalogue scenario: kind and criticality come from the catalogue entry, the exact address from here."""
    from drift.attacks import by_id

    entry = by_id()[attack]
    return Scenario(attack, mutate, entry.kind.value, address, attribute, entry.critical, parent=parent, attack=attack)


RAW = "lake-local-raw"
FUNCTION = f"{LAMBDA}.aws_lambda_function.etl"
TABLE = f"{GLUE}.aws_glue_catalog_table.this"
WORKGROUP = f"{ATHENA}.aws_athena_workgroup.this"
KEY = f"{S3}.aws_kms_key.data"
QUEUE = f"{LAMBDA}.aws_sqs_queue.failures"

ATTACK_SCENARIOS = [
    _attack("raw-lifecycle-expiry", raw_lifecycle_expiry, f"aws_s3_bucket_lifecycle_configuration:{RAW}"),
    _attack(
        "raw-lifecycle-noncurrent-expiry",
        raw_lifecycle_noncurrent_expiry,
        f"aws_s3_bucket_lifecycle_configuration:{RAW}",
    ),
    _attack("raw-lifecycle-archive", raw_lifecycle_archive, f"aws_s3_bucket_lifecycle_configuration:{RAW}"),
    _attack("raw-policy-guard-removed", raw_policy_guard_removed, f'{S3}.aws_s3_bucket_policy.this["raw"]', "policy"),
    _attack("raw-acl-grant", raw_acl_grant, f"aws_s3_bucket_acl:{RAW}"),
    _attack("raw-replication-foreign", raw_replication_foreign, f"aws_s3_bucket_replication_configuration:{RAW}"),
    _attack("raw-cors", raw_cors, f"aws_s3_bucket_cors_configuration:{RAW}"),
    _attack("raw-website", raw_website, f"aws_s3_bucket_website_configuration:{RAW}"),
    _attack(
        "bucket-public-access-block-relaxed",
        public_access_block_relaxed,
        f'{S3}.aws_s3_bucket_public_access_block.this["quarantine"]',
        "block_public_policy",
    ),
    _attack(
        "bucket-encryption-deleted",
        encryption_deleted,
        f'{S3}.aws_s3_bucket_server_side_encryption_configuration.this["athena_results"]',
    ),
    _attack("bucket-policy-public", bucket_policy_public, f'{S3}.aws_s3_bucket_policy.this["artifacts"]', "policy"),
    _attack(
        "role-customer-managed-attached",
        customer_policy_on_analyst,
        f"aws_iam_role_policy_attachment:lake-local-analyst/arn:aws:iam::{ACCOUNT}:policy/console-s3-admin",
        parent=f'{IAM}.aws_iam_role.this["analyst"]',
    ),
    _attack("role-boundary-changed", boundary_on_etl, f'{IAM}.aws_iam_role.this["etl"]', "permissions_boundary"),
    _attack("role-prefixed-created", prefixed_role, "aws_iam_role:lake-local-hotfix"),
    _attack(
        "policy-prefixed-wildcard",
        prefixed_wildcard_policy,
        f"aws_iam_policy:arn:aws:iam::{ACCOUNT}:policy/lake-local-s3-admin",
    ),
    _attack("function-code-updated", function_code_updated, f'{FUNCTION}["users"]', "code_sha256"),
    _attack("function-handler-changed", function_handler_changed, f'{FUNCTION}["users"]', "handler"),
    _attack("function-runtime-changed", function_runtime_changed, f'{FUNCTION}["tweets"]', "runtime"),
    _attack("function-layers-removed", function_layers_removed, f'{FUNCTION}["users"]', "layers"),
    _attack("function-memory-changed", function_memory_changed, f'{FUNCTION}["tweets"]', "memory_size"),
    _attack("function-tag-added", function_tag_added, f'{FUNCTION}["users"]', "tags_all"),
    _attack(
        "function-url-created",
        function_url_created,
        "aws_lambda_function_url:lake-local-etl-users",
        parent=f'{FUNCTION}["users"]',
    ),
    _attack(
        "function-permission-foreign",
        function_permission_foreign,
        "aws_lambda_permission:lake-local-etl-tweets/console-partner",
        parent=f'{FUNCTION}["tweets"]',
    ),
    _attack(
        "function-alias-created",
        function_alias_created,
        "aws_lambda_alias:lake-local-etl-users:live",
        parent=f'{FUNCTION}["users"]',
    ),
    _attack(
        "function-event-source-mapping",
        function_event_source_mapping,
        "aws_lambda_event_source_mapping:*",
        parent=f'{FUNCTION}["tweets"]',
    ),
    _attack("glue-table-in-raw", glue_table_in_raw, f"aws_glue_catalog_table:{ACCOUNT}:lake_local:console_raw"),
    _attack(
        "glue-table-location-quarantine",
        glue_table_location_quarantine,
        f'{TABLE}["tweets_v1"]',
        "storage_descriptor[0].location",
    ),
    _attack("glue-table-parameters-changed", glue_table_parameters_changed, f'{TABLE}["users_v1"]', "parameters"),
    _attack(
        "glue-partition-in-raw",
        glue_partition_in_raw,
        "aws_glue_partition:lake_local:users_v1:2024-05-01",
        parent=f'{TABLE}["users_v1"]',
    ),
    _attack("glue-job-added", glue_job_added, "aws_glue_job:lake-local-backfill"),
    _attack(
        "athena-output-elsewhere",
        athena_output_elsewhere,
        WORKGROUP,
        "configuration[0].result_configuration[0].output_location",
    ),
    _attack(
        "athena-encryption-removed",
        athena_encryption_removed,
        WORKGROUP,
        "configuration[0].result_configuration[0].encryption_configuration",
    ),
    _attack(
        "athena-cutoff-removed", athena_cutoff_removed, WORKGROUP, "configuration[0].bytes_scanned_cutoff_per_query"
    ),
    _attack("athena-other-workgroup", athena_other_workgroup, "aws_athena_workgroup:lake-local-adhoc"),
    _attack("kms-policy-changed", kms_policy_changed, KEY, "policy"),
    _attack("kms-description-changed", kms_description_changed, KEY, "description"),
    _attack("kms-grant-created", kms_grant_created, "aws_kms_grant:*", parent=KEY),
    _attack("kms-key-disabled", kms_key_disabled, KEY, "is_enabled"),
    _attack("kms-key-deletion-scheduled", kms_key_deletion_scheduled, KEY),
    _attack("sqs-policy-added", sqs_policy_added, QUEUE, "policy"),
    _attack("sqs-retention-shortened", sqs_retention_shortened, QUEUE, "message_retention_seconds"),
    _attack("sqs-prefixed-created", sqs_prefixed_created, "aws_sqs_queue:lake-local-console"),
    _attack("logs-group-deleted", logs_group_deleted, f'{LAMBDA}.aws_cloudwatch_log_group.etl["tweets"]'),
    _attack(
        "logs-subscription-foreign",
        logs_subscription_foreign,
        "aws_cloudwatch_log_subscription_filter:/aws/lambda/lake-local-etl-users|console-export",
        parent=f'{LAMBDA}.aws_cloudwatch_log_group.etl["users"]',
    ),
    _attack(
        "logs-prefixed-created", logs_prefixed_created, "aws_cloudwatch_log_group:/aws/lambda/lake-local-etl-orphan"
    ),
]


def batches(scenarios: list[Scenario]) -> list[list[Scenario]]:
    """Scenarios grouped so that no two in a group touch the same object (same finding address or parent)."""
    groups: list[tuple[list[Scenario], set[str]]] = []
    for scenario in scenarios:
        touched = {scenario.address} | ({scenario.parent} if scenario.parent else set())
        for members, used in groups:
            if not touched & used:
                members.append(scenario)
                used |= touched
                break
        else:
            groups.append(([scenario], set(touched)))
    return [members for members, _ in groups]


# ---------------------------------------------------------------- changes that break an invariant across two layers
# Each is made by hand in one layer; the invariant it breaks needs another layer's resources to be judged (the
# buckets and roles are foundation's), so only a check that sees every layer's state marks it critical.


@dataclass(frozen=True)
class CrossLayer:
    name: str
    mutate: Callable
    address: str  # the finding, in ``layer``
    layer: str
    attribute: str
    invariants: tuple[str, ...]  # each must be among the finding's broken invariants
    needs: str  # the other layer the judgement needs
    names: str  # a word the invariant text can only contain when the other layer was seen


def crawler_targets_raw(aws, out):
    """The users crawler's catalog target replaced by an S3 target on raw's incoming/ (the catalog layer)."""

    def change(c):
        c["Targets"] = {"S3Targets": [{"Path": f"s3://{out['raw_bucket']}/incoming/users/", "Exclusions": []}]}

    return _update_crawler(aws, out["crawlers"]["users_v1"], change)


def etl_env_points_at_raw(aws, out):
    """The users function told to write its Parquet into raw (the ingestion layer)."""
    return _update_env(
        aws,
        out["functions"]["users"]["name"],
        lambda v: v.update(CURATED_BUCKET=out["raw_bucket"], CURATED_PREFIX="incoming/users/"),
    )


def table_location_in_raw(aws, out):
    """The users table moved onto raw's incoming/ (the catalog layer): Athena would serve unvalidated JSON."""

    def change(t):
        t["StorageDescriptor"]["Location"] = f"s3://{out['raw_bucket']}/incoming/users/"

    return _update_table(aws, out, "users_v1", change)


CROSS_LAYER = [
    CrossLayer(
        "crawler target moved to raw",
        crawler_targets_raw,
        _crawler("users_v1"),
        "catalog",
        "s3_target",
        ("CRAWLER-SCOPE",),
        "foundation",
        "raw bucket",
    ),
    CrossLayer(
        "etl environment points at raw",
        etl_env_points_at_raw,
        f'{LAMBDA}.aws_lambda_function.etl["users"]',
        "ingestion",
        "environment[0].variables",
        ("ETL-CONFIG", "ETL-NO-RAW-WRITE"),
        "foundation",
        "module.foundation.",
    ),
    CrossLayer(
        "table location moved to raw",
        table_location_in_raw,
        f'{GLUE}.aws_glue_catalog_table.this["users_v1"]',
        "catalog",
        "storage_descriptor[0].location",
        ("ATHENA-NO-RAW",),
        "foundation",
        "raw bucket",
    ),
]
