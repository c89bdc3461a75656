"""The attack catalogue: every console (API) action that can break an invariant on a live lake, and how it is seen.

One entry per (invariant, action): the AWS API action, the resource it targets, the drift finding it must produce
(kind, address pattern, critical) and the gate mutation that expresses the same change in Terraform, where one
exists. Entries whose change breaks no invariant are listed too (``invariant=None``): they must be reported, and
never as critical, so ``--fail-on critical`` can page someone.

``local`` is None when the local endpoint (moto) can make the change: then ``tests/drift/drift_scenarios.py`` has
a scenario with the entry's id, applied to the deployed lake by the e2e tests. Otherwise it is the reason, and
``tests/drift/test_attack_shapes.py`` covers the adapter over a recorded API response instead. ``docs/attack-
surface.md`` is generated from this module (``python -m drift.attack_docs``).

Address patterns: ``*`` matches any run of characters (``[`` and ``"`` are literal), so one pattern serves the
local and the AWS root (``lake-local-raw`` / ``lake-prod-raw``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from drift.model import Kind

S3 = "*module.s3."
IAM = "*module.iam."
LAMBDA = "*module.lambda."
GLUE = "*module.glue."
ATHENA = "*module.athena."


@dataclass(frozen=True)
class Attack:
    id: str
    invariant: str | None  # the invariant (check id) it breaks; None: it breaks none (reported, never critical)
    action: str  # the AWS API action
    target: str  # the resource it targets, in words
    kind: Kind | None  # the drift finding it must produce; None: drift cannot see it (``seen`` says why)
    address: str  # the finding's address pattern
    critical: bool
    mutation: str | None = None  # the gate mutation (tests/policies/policy_mutations.py) expressing it in Terraform
    local: str | None = None  # None: an e2e scenario of the same id exists; else why moto cannot make it
    seen: str = ""  # for kind None: why no drift check can see it, and what does
    moto: str = ""  # where the local endpoint differs from AWS for this change (the scenario still makes it)

    @property
    def group(self) -> str:
        return self.target.split(":")[0]


def matches(pattern: str, address: str) -> bool:
    """``address`` fits ``pattern``; ``*`` is the only wildcard."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, address) is not None


def _a(*args, **kwargs) -> Attack:
    return Attack(*args, **kwargs)


ATTACKS: tuple[Attack, ...] = (
    # ------------------------------------------------------------------ raw bucket
    _a(
        "raw-lifecycle-expiry",
        "RAW-NO-EXPIRY",
        "s3:PutLifecycleConfiguration (Expiration)",
        "raw bucket: lifecycle",
        Kind.UNMANAGED,
        "aws_s3_bucket_lifecycle_configuration:*-raw",
        True,
        "raw-lifecycle-current-expiry",
    ),
    _a(
        "raw-lifecycle-noncurrent-expiry",
        "RAW-NO-EXPIRY",
        "s3:PutLifecycleConfiguration (NoncurrentVersionExpiration)",
        "raw bucket: lifecycle",
        Kind.UNMANAGED,
        "aws_s3_bucket_lifecycle_configuration:*-raw",
        True,
        "raw-lifecycle-expiry",
    ),
    _a(
        "raw-lifecycle-archive",
        "RAW-NO-EXPIRY",
        "s3:PutLifecycleConfiguration (Transition to GLACIER / DEEP_ARCHIVE)",
        "raw bucket: lifecycle",
        Kind.UNMANAGED,
        "aws_s3_bucket_lifecycle_configuration:*-raw",
        True,
        "raw-lifecycle-glacier",
    ),
    _a(
        "raw-policy-deleted",
        "RAW-NO-OVERWRITE",
        "s3:DeleteBucketPolicy",
        "raw bucket: policy",
        Kind.DELETED,
        S3 + 'aws_s3_bucket_policy.this["raw"]',
        True,
        "raw-bucket-policy-removed",
    ),
    _a(
        "raw-policy-guard-removed",
        "RAW-NO-OVERWRITE",
        "s3:PutBucketPolicy (the if-none-match deny dropped)",
        "raw bucket: policy",
        Kind.CHANGED,
        S3 + 'aws_s3_bucket_policy.this["raw"]',
        True,
        "raw-overwrite-guard-removed",
    ),
    _a(
        "raw-versioning-suspended",
        "RAW-VERSIONING",
        "s3:PutBucketVersioning (Suspended)",
        "raw bucket: versioning",
        Kind.CHANGED,
        S3 + "aws_s3_bucket_versioning.raw",
        True,
        "raw-versioning-suspended",
    ),
    _a(
        "raw-object-lock",
        None,
        "s3:PutObjectLockConfiguration",
        "raw bucket: Object Lock",
        Kind.UNMANAGED,
        "aws_s3_bucket_object_lock_configuration:*-raw",
        False,
        local="Object Lock cannot be turned off once on (AWS and moto alike): a scenario could not revert it on the "
        "shared deployed lake. Harmless to the invariants: a retention only keeps objects longer",
    ),
    _a(
        "raw-acl-grant",
        "S3-BASELINE",
        "s3:PutBucketAcl (grant to AllUsers or another account)",
        "raw bucket: ACL",
        Kind.UNMANAGED,
        "aws_s3_bucket_acl:*-raw",
        True,
        "raw-acl-public-read",
        moto="AWS refuses PutBucketAcl under BucketOwnerEnforced (AccessControlListNotSupported) until the ownership is changed (itself the critical `bucket-ownership-object-writer`); moto accepts it",
    ),
    _a(
        "raw-replication-foreign",
        "S3-BASELINE",
        "s3:PutBucketReplication (destination outside the lake)",
        "raw bucket: replication",
        Kind.UNMANAGED,
        "aws_s3_bucket_replication_configuration:*-raw",
        True,
        "raw-replication-foreign",
    ),
    _a(
        "raw-cors",
        None,
        "s3:PutBucketCors",
        "raw bucket: CORS",
        Kind.UNMANAGED,
        "aws_s3_bucket_cors_configuration:*-raw",
        False,
    ),
    _a(
        "raw-website",
        None,
        "s3:PutBucketWebsite",
        "raw bucket: website",
        Kind.UNMANAGED,
        "aws_s3_bucket_website_configuration:*-raw",
        False,
    ),
    _a(
        "raw-logging",
        None,
        "s3:PutBucketLogging",
        "raw bucket: access logging",
        Kind.UNMANAGED,
        "aws_s3_bucket_logging:*-raw",
        False,
        local="moto answers PutBucketLogging on the deployed lake's buckets with HTTP 500",
    ),
    _a(
        "raw-notification-added",
        None,
        "s3:PutBucketNotificationConfiguration (extra queue)",
        "raw bucket: notification",
        Kind.UNMANAGED,
        "aws_s3_bucket_notification:*-raw/*",
        False,
    ),
    # ------------------------------------------------------------------ every bucket
    _a(
        "bucket-public-access-block-deleted",
        "S3-BASELINE",
        "s3:DeletePublicAccessBlock",
        "every bucket: public access block",
        Kind.DELETED,
        S3 + "aws_s3_bucket_public_access_block.this[*]",
        True,
        "public-access-block-removed",
    ),
    _a(
        "bucket-public-access-block-relaxed",
        "S3-BASELINE",
        "s3:PutPublicAccessBlock (BlockPublicPolicy false)",
        "every bucket: public access block",
        Kind.CHANGED,
        S3 + "aws_s3_bucket_public_access_block.this[*]",
        True,
        "public-policy-allowed",
    ),
    _a(
        "account-public-access-block",
        None,
        "s3control:DeletePublicAccessBlock (account level)",
        "every bucket: account public access block",
        None,
        "",
        False,
        local="not an object of the lake's state",
        seen="the account-level block is outside the lake's state; each bucket's own block (checked above) still "
        "applies, so removing the account block alone exposes nothing. AWS Config rule "
        "s3-account-level-public-access-blocks watches it",
    ),
    _a(
        "bucket-encryption-aes256",
        "S3-BASELINE",
        "s3:PutBucketEncryption (AES256)",
        "every bucket: encryption",
        Kind.CHANGED,
        S3 + "aws_s3_bucket_server_side_encryption_configuration.this[*]",
        True,
        "sse-s3-not-kms",
    ),
    _a(
        "bucket-encryption-deleted",
        "S3-BASELINE",
        "s3:DeleteBucketEncryption",
        "every bucket: encryption",
        Kind.DELETED,
        S3 + "aws_s3_bucket_server_side_encryption_configuration.this[*]",
        True,
        "sse-removed",
        moto="AWS cannot remove default encryption (DeleteBucketEncryption falls back to SSE-S3, which `bucket-encryption-aes256` covers); moto removes it",
    ),
    _a(
        "bucket-ownership-object-writer",
        "S3-BASELINE",
        "s3:PutBucketOwnershipControls (ObjectWriter)",
        "every bucket: ownership",
        Kind.CHANGED,
        S3 + "aws_s3_bucket_ownership_controls.this[*]",
        True,
        "ownership-object-writer",
    ),
    _a(
        "bucket-policy-public",
        "S3-BASELINE",
        "s3:PutBucketPolicy (Allow to Principal *)",
        "every bucket: policy",
        Kind.CHANGED,
        S3 + "aws_s3_bucket_policy.this[*]",
        True,
        "bucket-policy-public",
        moto="AWS refuses a public policy while BlockPublicPolicy is on (AccessDenied), so the change needs `bucket-public-access-block-relaxed` first; moto accepts it",
    ),
    _a(
        "bucket-prefixed-created",
        "S3-BASELINE",
        "s3:CreateBucket (<prefix>-*, no baseline)",
        "every bucket: new bucket with the lake's prefix",
        Kind.UNMANAGED,
        "aws_s3_bucket:*-scratch",
        True,
        "bucket-without-baseline",
    ),
    # ------------------------------------------------------------------ roles
    _a(
        "role-inline-wildcard",
        "IAM-NO-WILDCARD",
        "iam:PutRolePolicy (s3:*)",
        "roles: inline policy",
        Kind.UNMANAGED,
        "aws_iam_role_policy:*-etl:*",
        True,
        "etl-s3-star",
    ),
    _a(
        "role-aws-managed-attached",
        "GLUE-NO-RAW-READ",
        "iam:AttachRolePolicy (AWS managed AmazonS3FullAccess)",
        "roles: managed policy",
        Kind.UNMANAGED,
        "aws_iam_role_policy_attachment:*-crawler/arn:aws:iam::aws:policy/AmazonS3FullAccess",
        True,
        "crawler-s3-full-access",
    ),
    _a(
        "role-customer-managed-attached",
        "IAM-NO-WILDCARD",
        "iam:CreatePolicy + iam:AttachRolePolicy (customer managed, s3:*)",
        "roles: managed policy",
        Kind.UNMANAGED,
        "aws_iam_role_policy_attachment:*-analyst/arn:aws:iam::*:policy/console-s3-admin",
        True,
        "analyst-customer-policy-s3-star",
    ),
    _a(
        "role-boundary-changed",
        None,
        "iam:PutRolePermissionsBoundary / DeleteRolePermissionsBoundary",
        "roles: permissions boundary",
        Kind.CHANGED,
        IAM + "aws_iam_role.this[*]",
        False,
    ),
    _a(
        "role-trust-widened",
        "IAM-ONE-ROLE-PER-SERVICE",
        "iam:UpdateAssumeRolePolicy (a second service)",
        "roles: trust policy",
        Kind.CHANGED,
        IAM + 'aws_iam_role.this["crawler"]',
        True,
        "etl-trusts-glue-too",
    ),
    _a(
        "role-prefixed-created",
        None,
        "iam:CreateRole (<prefix>-*)",
        "roles: new role with the lake's prefix",
        Kind.UNMANAGED,
        "aws_iam_role:*-hotfix",
        False,
    ),
    _a(
        "policy-prefixed-wildcard",
        "IAM-NO-WILDCARD",
        "iam:CreatePolicy (<prefix>-*, s3:* on *)",
        "roles: new customer managed policy with the lake's prefix",
        Kind.UNMANAGED,
        "aws_iam_policy:arn:aws:iam::*:policy/*-s3-admin",
        True,
        "prefixed-policy-s3-star",
    ),
    # ------------------------------------------------------------------ ETL function
    _a(
        "function-code-updated",
        None,
        "lambda:UpdateFunctionCode",
        "ETL function: code",
        Kind.CHANGED,
        LAMBDA + "aws_lambda_function.etl[*]",
        False,
    ),
    _a(
        "function-handler-changed",
        "HANDLER-RESOLVES",
        "lambda:UpdateFunctionConfiguration (Handler)",
        "ETL function: handler",
        Kind.CHANGED,
        LAMBDA + "aws_lambda_function.etl[*]",
        True,
        "handler-not-found",
    ),
    _a(
        "function-runtime-changed",
        "HANDLER-RESOLVES",
        "lambda:UpdateFunctionConfiguration (Runtime)",
        "ETL function: runtime",
        Kind.CHANGED,
        LAMBDA + "aws_lambda_function.etl[*]",
        True,
        "runtime-unsupported",
    ),
    _a(
        "function-layers-removed",
        None,
        "lambda:UpdateFunctionConfiguration (Layers)",
        "ETL function: layers",
        Kind.CHANGED,
        LAMBDA + "aws_lambda_function.etl[*]",
        False,
    ),
    _a(
        "function-env-prefix-changed",
        "CRAWLER-SCOPE",
        "lambda:UpdateFunctionConfiguration (Environment CURATED_PREFIX)",
        "ETL function: environment",
        Kind.CHANGED,
        LAMBDA + "aws_lambda_function.etl[*]",
        True,
        "etl-prefix-off-table",
    ),
    _a(
        "function-env-var-added",
        None,
        "lambda:UpdateFunctionConfiguration (Environment, a debug variable)",
        "ETL function: environment",
        Kind.CHANGED,
        LAMBDA + "aws_lambda_function.etl[*]",
        False,
    ),
    _a(
        "function-memory-changed",
        None,
        "lambda:UpdateFunctionConfiguration (MemorySize)",
        "ETL function: memory",
        Kind.CHANGED,
        LAMBDA + "aws_lambda_function.etl[*]",
        False,
    ),
    _a(
        "function-tag-added",
        None,
        "lambda:TagResource",
        "ETL function: tags",
        Kind.CHANGED,
        LAMBDA + "aws_lambda_function.etl[*]",
        False,
    ),
    _a(
        "function-url-created",
        None,
        "lambda:CreateFunctionUrlConfig (AuthType NONE)",
        "ETL function: function URL",
        Kind.UNMANAGED,
        "aws_lambda_function_url:*-etl-*",
        False,
    ),
    _a(
        "function-permission-foreign",
        None,
        "lambda:AddPermission (another account may invoke)",
        "ETL function: resource policy",
        Kind.UNMANAGED,
        "aws_lambda_permission:*-etl-*/console-*",
        False,
    ),
    _a(
        "function-alias-created",
        None,
        "lambda:CreateAlias",
        "ETL function: alias",
        Kind.UNMANAGED,
        "aws_lambda_alias:*-etl-*:*",
        False,
    ),
    _a(
        "function-event-source-mapping",
        None,
        "lambda:CreateEventSourceMapping",
        "ETL function: event source mapping",
        Kind.UNMANAGED,
        "aws_lambda_event_source_mapping:*",
        False,
    ),
    _a(
        "function-failure-destination-removed",
        "ETL-FAILURES-KEPT",
        "lambda:DeleteFunctionEventInvokeConfig",
        "ETL function: on-failure destination",
        Kind.DELETED,
        LAMBDA + "aws_lambda_function_event_invoke_config.etl[*]",
        True,
        "no-failure-destination",
    ),
    # ------------------------------------------------------------------ Glue
    _a(
        "glue-table-in-raw",
        "ATHENA-NO-RAW",
        "glue:CreateTable (location in raw)",
        "Glue: table",
        Kind.UNMANAGED,
        "aws_glue_catalog_table:*:console_raw",
        True,
        "table-located-in-raw",
    ),
    _a(
        "glue-table-location-quarantine",
        "ATHENA-NO-RAW",
        "glue:UpdateTable (location in quarantine)",
        "Glue: table",
        Kind.CHANGED,
        GLUE + "aws_glue_catalog_table.this[*]",
        True,
        "table-located-in-quarantine",
    ),
    _a(
        "glue-partition-in-raw",
        "ATHENA-NO-RAW",
        "glue:CreatePartition (location in raw)",
        "Glue: partition",
        Kind.UNMANAGED,
        "aws_glue_partition:*:users_v1:*",
        True,
        "partition-located-in-raw",
    ),
    _a(
        "glue-column-type-changed",
        "SCHEMA-AGREES",
        "glue:UpdateTable (a column type)",
        "Glue: table",
        Kind.CHANGED,
        GLUE + "aws_glue_catalog_table.this[*]",
        True,
        "glue-int-not-bigint",
    ),
    _a(
        "glue-table-parameters-changed",
        None,
        "glue:UpdateTable (Parameters)",
        "Glue: table parameters",
        Kind.CHANGED,
        GLUE + "aws_glue_catalog_table.this[*]",
        False,
    ),
    _a(
        "glue-crawler-added",
        "CRAWLER-SCOPE",
        "glue:CreateCrawler (S3 target in raw, in the lake database)",
        "Glue: crawler",
        Kind.UNMANAGED,
        "aws_glue_crawler:*-adhoc",
        True,
        "crawler-points-at-raw",
    ),
    _a(
        "glue-crawler-deleted",
        "CRAWLER-SCOPE",
        "glue:DeleteCrawler",
        "Glue: crawler",
        Kind.DELETED,
        GLUE + "aws_glue_crawler.this[*]",
        True,
        "crawler-deleted-for-a-dataset",
    ),
    _a(
        "glue-crawler-updates-schema",
        "CRAWLER-NO-MUTATION",
        "glue:UpdateCrawler (SchemaChangePolicy UPDATE_IN_DATABASE)",
        "Glue: crawler",
        Kind.CHANGED,
        GLUE + "aws_glue_crawler.this[*]",
        True,
        "crawler-updates-schema",
    ),
    _a(
        "glue-job-added",
        None,
        "glue:CreateJob (<prefix>-*)",
        "Glue: job",
        Kind.UNMANAGED,
        "aws_glue_job:*-backfill",
        False,
    ),
    # ------------------------------------------------------------------ Athena
    _a(
        "athena-not-enforced",
        "ATHENA-ENFORCED",
        "athena:UpdateWorkGroup (EnforceWorkGroupConfiguration false)",
        "Athena: workgroup",
        Kind.CHANGED,
        ATHENA + "aws_athena_workgroup.this",
        True,
        "workgroup-not-enforced",
        moto="moto has no UpdateWorkGroup: the scenarios delete and re-create the workgroup with the edited configuration",
    ),
    _a(
        "athena-output-elsewhere",
        "ATHENA-NO-RAW",
        "athena:UpdateWorkGroup (OutputLocation in curated)",
        "Athena: workgroup",
        Kind.CHANGED,
        ATHENA + "aws_athena_workgroup.this",
        True,
        "results-in-curated",
    ),
    _a(
        "athena-encryption-removed",
        "ATHENA-ENFORCED",
        "athena:UpdateWorkGroup (RemoveEncryptionConfiguration)",
        "Athena: workgroup",
        Kind.CHANGED,
        ATHENA + "aws_athena_workgroup.this",
        True,
        "workgroup-results-unencrypted",
    ),
    _a(
        "athena-cutoff-removed",
        "ATHENA-ENFORCED",
        "athena:UpdateWorkGroup (RemoveBytesScannedCutoffPerQuery)",
        "Athena: workgroup",
        Kind.CHANGED,
        ATHENA + "aws_athena_workgroup.this",
        True,
        "workgroup-no-cutoff",
    ),
    _a(
        "athena-other-workgroup",
        "ATHENA-ENFORCED",
        "athena:CreateWorkGroup (<prefix>-*, not enforced)",
        "Athena: another workgroup",
        Kind.UNMANAGED,
        "aws_athena_workgroup:*-adhoc",
        True,
        "second-workgroup-not-enforced",
    ),
    # ------------------------------------------------------------------ KMS
    _a(
        "kms-policy-changed",
        None,
        "kms:PutKeyPolicy",
        "KMS: key policy",
        Kind.CHANGED,
        S3 + "aws_kms_key.data",
        False,
    ),
    _a(
        "kms-description-changed",
        None,
        "kms:UpdateKeyDescription",
        "KMS: description",
        Kind.CHANGED,
        S3 + "aws_kms_key.data",
        False,
    ),
    _a(
        "kms-grant-created",
        None,
        "kms:CreateGrant (another principal)",
        "KMS: grant",
        Kind.UNMANAGED,
        "aws_kms_grant:*",
        False,
    ),
    _a(
        "kms-key-disabled",
        "ETL-CAN-WORK",
        "kms:DisableKey",
        "KMS: key state",
        Kind.CHANGED,
        S3 + "aws_kms_key.data",
        True,
        "kms-key-disabled",
    ),
    _a(
        "kms-key-deletion-scheduled",
        "ETL-CAN-WORK",
        "kms:ScheduleKeyDeletion",
        "KMS: key state",
        Kind.DELETED,
        S3 + "aws_kms_key.data",
        True,
    ),
    # ------------------------------------------------------------------ SQS
    _a(
        "sqs-policy-added",
        None,
        "sqs:SetQueueAttributes (Policy for another account)",
        "SQS: queue policy",
        Kind.CHANGED,
        LAMBDA + "aws_sqs_queue.failures",
        False,
    ),
    _a(
        "sqs-retention-shortened",
        None,
        "sqs:SetQueueAttributes (MessageRetentionPeriod 60)",
        "SQS: retention",
        Kind.CHANGED,
        LAMBDA + "aws_sqs_queue.failures",
        False,
    ),
    _a(
        "sqs-queue-purged",
        None,
        "sqs:PurgeQueue",
        "SQS: messages",
        None,
        "",
        False,
        local="a purge leaves no configuration behind",
        seen="a purge changes no configuration, only the data: CloudTrail's PurgeQueue event (or the queue's "
        "NumberOfMessagesDeleted metric) is the only trace",
    ),
    _a(
        "sqs-prefixed-created",
        None,
        "sqs:CreateQueue (<prefix>-*)",
        "SQS: new queue with the lake's prefix",
        Kind.UNMANAGED,
        "aws_sqs_queue:*-console",
        False,
    ),
    # ------------------------------------------------------------------ logs
    _a(
        "logs-retention-removed",
        "LOGS-RETAINED",
        "logs:DeleteRetentionPolicy",
        "logs: retention",
        Kind.CHANGED,
        GLUE + "aws_cloudwatch_log_group.crawlers[0]",
        True,
        "lambda-logs-unretained",
    ),
    _a(
        "logs-retention-shortened",
        None,
        "logs:PutRetentionPolicy (1 day)",
        "logs: retention",
        Kind.CHANGED,
        LAMBDA + "aws_cloudwatch_log_group.etl[*]",
        False,
    ),
    _a(
        "logs-group-deleted",
        "LOGS-RETAINED",
        "logs:DeleteLogGroup",
        "logs: log group",
        Kind.DELETED,
        LAMBDA + "aws_cloudwatch_log_group.etl[*]",
        True,
        "lambda-log-group-removed",
    ),
    _a(
        "logs-subscription-foreign",
        None,
        "logs:PutSubscriptionFilter (destination outside the lake)",
        "logs: subscription filter",
        Kind.UNMANAGED,
        "aws_cloudwatch_log_subscription_filter:*|console-export",
        False,
    ),
    _a(
        "logs-prefixed-created",
        None,
        "logs:CreateLogGroup (/aws/lambda/<prefix>-*)",
        "logs: new log group with the lake's prefix",
        Kind.UNMANAGED,
        "aws_cloudwatch_log_group:/aws/lambda/*-etl-orphan",
        False,
    ),
)


@cache
def by_id() -> dict[str, Attack]:
    out: dict[str, Attack] = {}
    for attack in ATTACKS:
        if attack.id in out:
            raise ValueError(f"two attack catalogue entries named {attack.id}")
        out[attack.id] = attack
    return out
