# One role per service, each with one inline policy built from aws_iam_policy_document. Every ARN is built
# from names (buckets, functions, tables, queue, workgroup) plus the account id and partition, so a plan
# shows each policy in full. KMS permissions name the key through its alias (kms:ResourceAliases), which is
# known at plan time while the key id is not.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  root_arn   = "arn:${local.partition}:iam::${local.account_id}:root"

  s3 = { for role, name in var.bucket_names : role => "arn:${local.partition}:s3:::${name}" }

  glue_catalog    = "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog"
  glue_database   = "arn:${local.partition}:glue:${local.region}:${local.account_id}:database/${var.glue_database}"
  glue_tables     = [for t in values(var.tables) : "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${var.glue_database}/${t.name}"]
  glue_all_tables = "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${var.glue_database}/*"

  kms_keys      = "arn:${local.partition}:kms:${local.region}:${local.account_id}:key/*"
  failure_queue = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${var.failure_queue_name}"
  workgroup     = "arn:${local.partition}:athena:${local.region}:${local.account_id}:workgroup/${var.athena_workgroup}"
  log_group     = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"

  roles = {
    etl            = "${var.name_prefix}-etl"
    crawler        = "${var.name_prefix}-crawler"
    analyst        = "${var.name_prefix}-analyst"
    "drift-reader" = "${var.name_prefix}-drift-reader"
  }
}

# ------------------------------------------------------------------ trust policies

data "aws_iam_policy_document" "trust_lambda" {
  statement {
    sid     = "LambdaAssumesEtl"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "trust_glue" {
  statement {
    sid     = "GlueAssumesCrawler"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "trust_analyst" {
  statement {
    sid     = "AnalystsAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = coalesce(var.analyst_principal_arns, [local.root_arn])
    }
  }
}

data "aws_iam_policy_document" "trust_drift_reader" {
  statement {
    sid     = "CiAssumesDriftReader"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = coalesce(var.ci_principal_arns, [local.root_arn])
    }
  }
}

# ------------------------------------------------------------------ etl (Lambda)

# Encrypt and decrypt with the lake's data key, named through its alias (the key id is unknown at plan time).
# Shared by the roles that write encrypted objects (etl, analyst); the crawler only decrypts.
data "aws_iam_policy_document" "use_data_key" {
  statement {
    sid       = "UseDataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [local.kms_keys]

    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [var.kms_alias_name]
    }
  }
}

data "aws_iam_policy_document" "etl" {
  source_policy_documents = [data.aws_iam_policy_document.use_data_key.json]

  statement {
    sid       = "ReadRawIncoming"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [for ds in keys(var.functions) : "${local.s3.raw}/incoming/${ds}/*"]
  }

  statement {
    sid       = "WriteCuratedPrefix"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = [for f in values(var.functions) : "${local.s3.curated}/${f.curated_prefix}/*"]
  }

  statement {
    sid       = "WriteQuarantine"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = [for ds in keys(var.functions) : "${local.s3.quarantine}/${ds}/*"]
  }

  # Redelivered events: the handler writes with If-None-Match and, on a conflict, reads the existing object's
  # checksum to tell "same bytes already there" from a real clash (HeadObject needs s3:GetObject).
  statement {
    sid     = "ReadOwnOutputs"
    actions = ["s3:GetObject"]
    resources = concat(
      [for f in values(var.functions) : "${local.s3.curated}/${f.curated_prefix}/*"],
      [for ds in keys(var.functions) : "${local.s3.quarantine}/${ds}/*"],
    )
  }

  # A failed invocation removes the curated objects it created, so no partial result stays visible.
  statement {
    sid       = "RollBackOwnCuratedWrites"
    actions   = ["s3:DeleteObject"]
    resources = [for f in values(var.functions) : "${local.s3.curated}/${f.curated_prefix}/*"]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for f in values(var.functions) : "${local.log_group}:/aws/lambda/${f.name}:*"]
  }

  statement {
    sid       = "SendFailures"
    actions   = ["sqs:SendMessage"]
    resources = [local.failure_queue]
  }
}

# ------------------------------------------------------------------ crawler (Glue)

data "aws_iam_policy_document" "crawler" {
  statement {
    sid       = "ListCuratedPrefixes"
    actions   = ["s3:ListBucket"]
    resources = [local.s3.curated]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values = flatten([for t in values(var.tables) : [
        "${t.curated_prefix}/",
        "${t.curated_prefix}/*",
      ]])
    }
  }

  statement {
    sid       = "ReadCuratedPrefixes"
    actions   = ["s3:GetObject"]
    resources = [for t in values(var.tables) : "${local.s3.curated}/${t.curated_prefix}/*"]
  }

  statement {
    sid = "MaintainDeclaredTables"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:UpdateTable",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:UpdatePartition",
      "glue:BatchUpdatePartition",
    ]
    resources = concat([local.glue_catalog, local.glue_database], local.glue_tables)
  }

  statement {
    sid       = "WriteCrawlerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group}:${var.crawler_log_group}:*"]
  }

  statement {
    sid       = "DecryptCurated"
    actions   = ["kms:Decrypt"]
    resources = [local.kms_keys]

    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "kms:ResourceAliases"
      values   = [var.kms_alias_name]
    }
  }
}

# ------------------------------------------------------------------ analyst (Athena user)

data "aws_iam_policy_document" "analyst" {
  source_policy_documents = [data.aws_iam_policy_document.use_data_key.json]

  statement {
    sid = "QueryInWorkgroup"
    actions = [
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetQueryResultsStream",
      "athena:ListQueryExecutions",
      "athena:GetWorkGroup",
    ]
    resources = [local.workgroup]
  }

  statement {
    sid = "ReadCatalog"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
    ]
    resources = [local.glue_catalog, local.glue_database, local.glue_all_tables]
  }

  statement {
    sid       = "ListCurated"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.s3.curated]
  }

  statement {
    sid       = "ReadCurated"
    actions   = ["s3:GetObject"]
    resources = ["${local.s3.curated}/dataset/*"]
  }

  statement {
    sid       = "ListResults"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
    resources = [local.s3.athena_results]
  }

  statement {
    sid       = "ReadWriteResults"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${local.s3.athena_results}/*"]
  }
}

# ------------------------------------------------------------------ drift-reader (read only)

data "aws_iam_policy_document" "drift_reader" {
  #checkov:skip=CKV_AWS_356:List*/Describe*/Get* account-level read actions of the drift reader support no resource scoping
  statement {
    sid = "ReadBucketConfiguration"
    actions = [
      "s3:GetBucketLocation",
      "s3:GetBucketVersioning",
      "s3:GetBucketPolicy",
      "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketOwnershipControls",
      "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:GetBucketNotification",
      "s3:GetBucketTagging",
      "s3:GetBucketObjectLockConfiguration",
      "s3:GetBucketAcl",
      "s3:GetBucketCORS",
      "s3:GetBucketWebsite",
      "s3:GetBucketLogging",
      "s3:GetReplicationConfiguration",
      "s3:GetAccelerateConfiguration",
      "s3:GetBucketRequestPayment",
    ]
    resources = values(local.s3)
  }

  statement {
    sid       = "ListLakeBuckets"
    actions   = ["s3:ListAllMyBuckets"]
    resources = ["arn:${local.partition}:s3:::*"]
  }

  dynamic "statement" {
    for_each = var.state_bucket_name == null ? [] : [var.state_bucket_name]

    content {
      sid       = "ReadTerraformState"
      actions   = ["s3:GetObject"]
      resources = [for key in var.state_keys : "arn:${local.partition}:s3:::${statement.value}/${key}"]
    }
  }

  # Catalog health in the nightly report: registered partitions against the curated dt= folders (keys only).
  statement {
    sid       = "ReadCatalogHealth"
    actions   = ["glue:GetPartitions"]
    resources = concat([local.glue_catalog, local.glue_database], local.glue_tables)
  }

  statement {
    sid       = "ListCuratedForCatalogHealth"
    actions   = ["s3:ListBucket"]
    resources = [local.s3.curated]
  }

  statement {
    sid = "ReadIam"
    actions = [
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListRolePolicies",
      "iam:ListAttachedRolePolicies",
      "iam:ListRoleTags",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
    ]
    resources = [
      "arn:${local.partition}:iam::${local.account_id}:role/${var.name_prefix}-*",
      "arn:${local.partition}:iam::*:policy/*",
    ]
  }

  statement {
    sid = "ReadServices"
    actions = [
      "lambda:GetFunction",
      "lambda:GetFunctionConfiguration",
      "lambda:GetFunctionEventInvokeConfig",
      "lambda:GetPolicy",
      "lambda:GetLayerVersion",
      "lambda:ListFunctions",
      "lambda:ListTags",
      "lambda:ListVersionsByFunction",
      "lambda:GetFunctionUrlConfig",
      "lambda:ListAliases",
      "lambda:ListEventSourceMappings",
      "glue:GetPartitions",
      "glue:GetJobs",
      "logs:DescribeSubscriptionFilters",
      "kms:ListGrants",
      "iam:GetAccountAuthorizationDetails",
      "glue:GetDatabase",
      "glue:GetDatabases",
      "glue:GetTable",
      "glue:GetTables",
      "glue:GetCrawler",
      "glue:GetCrawlers",
      "glue:ListCrawlers",
      "glue:GetTags",
      "athena:GetWorkGroup",
      "athena:ListWorkGroups",
      "athena:ListTagsForResource",
      "logs:DescribeLogGroups",
      "logs:ListTagsForResource",
      "logs:ListTagsLogGroup",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ListQueues",
      "sqs:ListQueueTags",
      "kms:DescribeKey",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListAliases",
      "kms:ListResourceTags",
      "sns:GetTopicAttributes",
      "sns:GetSubscriptionAttributes",
      "sns:ListSubscriptionsByTopic",
      "sns:ListTagsForResource",
      "cloudwatch:DescribeAlarms",
      "cloudwatch:ListTagsForResource",
      "logs:DescribeMetricFilters",
      "sts:GetCallerIdentity",
    ]
    resources = ["*"]
  }
}

# ------------------------------------------------------------------ roles

locals {
  trust = {
    etl            = data.aws_iam_policy_document.trust_lambda.json
    crawler        = data.aws_iam_policy_document.trust_glue.json
    analyst        = data.aws_iam_policy_document.trust_analyst.json
    "drift-reader" = data.aws_iam_policy_document.trust_drift_reader.json
  }
  permissions = {
    etl            = data.aws_iam_policy_document.etl.json
    crawler        = data.aws_iam_policy_document.crawler.json
    analyst        = data.aws_iam_policy_document.analyst.json
    "drift-reader" = data.aws_iam_policy_document.drift_reader.json
  }
  descriptions = {
    etl            = "Lake ETL Lambda: reads raw incoming/, writes its curated prefix and quarantine"
    crawler        = "Lake Glue crawlers: read curated prefixes, maintain declared tables' partitions"
    analyst        = "Lake analysts: query curated data through the Athena workgroup"
    "drift-reader" = "Lake drift check: read-only view of every managed resource"
  }
}

resource "aws_iam_role" "this" {
  #checkov:skip=CKV_AWS_61:analyst and drift-reader trust the configured principals (analyst_principal_arns, ci_principal_arns), which default to this account root; set them per environment
  for_each = local.roles

  name                 = each.value
  description          = local.descriptions[each.key]
  assume_role_policy   = local.trust[each.key]
  max_session_duration = 3600
  # destroy must not fail on a policy someone attached by hand (the drift report names it first)
  force_detach_policies = true
}

resource "aws_iam_role_policy" "this" {
  for_each = local.roles

  name   = "${each.value}-permissions"
  role   = aws_iam_role.this[each.key].id
  policy = local.permissions[each.key]
}

# ------------------------------------------------------------------ batch-operations (lake replay --aws)

# S3 Batch Operations runs a replay job as this role: it invokes the lake's functions (which read raw with their
# own role), reads the job's manifest and writes its completion report, each under one prefix of the artifacts
# bucket. It reads no raw or curated object and writes nowhere else (BATCH-ROLE-SCOPE).
data "aws_iam_policy_document" "trust_batch_operations" {
  statement {
    sid     = "BatchOperationsAssumes"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["batchoperations.s3.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "batch_operations" {
  source_policy_documents = [data.aws_iam_policy_document.use_data_key.json]

  statement {
    sid       = "InvokeLakeFunctions"
    actions   = ["lambda:InvokeFunction"]
    resources = [for f in values(var.functions) : "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${f.name}"]
  }

  statement {
    sid       = "ReadManifests"
    actions   = ["s3:GetObjectVersion", "s3:GetObject"]
    resources = ["${local.s3.artifacts}/${var.replay_manifest_prefix}*"]
  }

  statement {
    sid       = "WriteReports"
    actions   = ["s3:PutObject"]
    resources = ["${local.s3.artifacts}/${var.replay_report_prefix}*"]
  }

  statement {
    sid       = "LocateArtifactsBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [local.s3.artifacts]
  }
}

resource "aws_iam_role" "batch_operations" {
  name                  = "${var.name_prefix}-batch-operations"
  description           = "Lake replay jobs (S3 Batch Operations): invoke the ETL functions, read manifests, write reports"
  assume_role_policy    = data.aws_iam_policy_document.trust_batch_operations.json
  max_session_duration  = 3600
  force_detach_policies = true
}

resource "aws_iam_role_policy" "batch_operations" {
  name   = "${var.name_prefix}-batch-operations-permissions"
  role   = aws_iam_role.batch_operations.id
  policy = data.aws_iam_policy_document.batch_operations.json
}
