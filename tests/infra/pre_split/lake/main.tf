# FROZEN: the single-state root module as released up to commit fb643a5 (before the lake was split into four
# layers), kept only so tests/infra/test_split_state_migration_e2e.py can build a populated single-state lake and
# migrate it. Changes from the release: module sources point at ../../infra/modules and the default contracts
# directory is ../../contracts (the test copies this next to infra/ and contracts/), and the iam module takes
# state_keys (a list) where it took state_key.

# The lake: the root names everything (so every name and policy is known at plan time), the modules create,
# and this file connects them: raw-bucket notifications to each dataset's function, and the permissions
# that let S3 invoke it.

data "aws_caller_identity" "current" {}

locals {
  contracts_dir = coalesce(var.contracts_dir, "${path.module}/../../contracts")
  database_name = replace(var.name_prefix, "-", "_")

  bucket_names = {
    raw            = "${var.name_prefix}-raw"
    curated        = "${var.name_prefix}-curated"
    quarantine     = "${var.name_prefix}-quarantine"
    athena_results = "${var.name_prefix}-athena-results"
    artifacts      = "${var.name_prefix}-artifacts"
  }

  # The Lambda of a dataset writes its highest listed contract version.
  functions = {
    for ds, cfg in var.datasets : ds => {
      name           = "${var.name_prefix}-etl-${ds}"
      schema_version = max(cfg.versions...)
      curated_prefix = "dataset/${ds}/schema=${max(cfg.versions...)}"
    }
  }

  # Every listed version has a table and a crawler (older versions stay queryable).
  tables = merge([
    for ds, cfg in var.datasets : {
      for v in cfg.versions : "${ds}_v${v}" => {
        name             = "${ds}_v${v}"
        crawler_name     = "${var.name_prefix}-${ds}-v${v}"
        dataset          = ds
        version          = v
        curated_prefix   = "dataset/${ds}/schema=${v}"
        contract_file    = "${local.contracts_dir}/${ds}/v${v}.json"
        partitioning     = try(cfg.partitioning, "crawler") # try(): the policy gate's HCL reader applies no optional() defaults
        projection_start = try(cfg.projection_start, "2006-01-01")
      }
    }
  ]...)

  # One notification filter per dataset and suffix.
  raw_suffixes = [".json", ".json.gz"]
  notifications = flatten([
    for ds in keys(var.datasets) : [
      for suffix in local.raw_suffixes : { dataset = ds, suffix = suffix }
    ]
  ])
}

module "s3" {
  source = "../../infra/modules/s3"

  bucket_names             = local.bucket_names
  kms_alias_name           = "alias/${var.name_prefix}-data"
  uploader_principal_arns  = var.uploader_principal_arns
  force_destroy            = var.force_destroy
  kms_deletion_window_days = var.force_destroy ? 7 : 30
}

module "iam" {
  source = "../../infra/modules/iam"

  name_prefix            = var.name_prefix
  bucket_names           = local.bucket_names
  kms_alias_name         = "alias/${var.name_prefix}-data"
  functions              = { for ds, f in local.functions : ds => { name = f.name, curated_prefix = f.curated_prefix } }
  tables                 = { for key, t in local.tables : key => { name = t.name, curated_prefix = t.curated_prefix } }
  glue_database          = local.database_name
  athena_workgroup       = var.name_prefix
  failure_queue_name     = "${var.name_prefix}-etl-failures"
  analyst_principal_arns = var.analyst_principal_arns
  ci_principal_arns      = var.ci_principal_arns
  state_bucket_name      = var.state_bucket_name
  state_keys             = [var.state_key]
}

module "lambda" {
  source = "../../infra/modules/lambda"

  functions = local.functions
  role_arn  = module.iam.role_arns["etl"]
  bucket_names = {
    raw        = module.s3.bucket_names["raw"]
    curated    = module.s3.bucket_names["curated"]
    quarantine = module.s3.bucket_names["quarantine"]
    artifacts  = module.s3.bucket_names["artifacts"]
  }
  handler_zip        = var.handler_zip
  layer_zip          = var.layer_zip
  layer_arn          = var.layer_arn
  layer_name         = "${var.name_prefix}-pyarrow"
  failure_queue_name = "${var.name_prefix}-etl-failures"
  memory_mb          = var.lambda_memory_mb
  timeout_seconds    = var.lambda_timeout_seconds
  log_retention_days = var.log_retention_days
}

module "glue" {
  source = "../../infra/modules/glue"

  database_name            = local.database_name
  tables                   = local.tables
  curated_bucket           = module.s3.bucket_names["curated"]
  crawler_role_arn         = module.iam.role_arns["crawler"]
  crawler_schedule         = var.crawler_schedule
  manage_crawler_log_group = var.manage_crawler_log_group
  log_retention_days       = var.log_retention_days
}

module "athena" {
  source = "../../infra/modules/athena"

  workgroup_name                 = var.name_prefix
  results_bucket                 = module.s3.bucket_names["athena_results"]
  kms_key_arn                    = module.s3.kms_key_arn
  bytes_scanned_cutoff_per_query = var.bytes_scanned_cutoff_per_query
  force_destroy                  = var.force_destroy
}

# ------------------------------------------------------------------ raw uploads trigger the ETL

resource "aws_lambda_permission" "raw_invokes_etl" {
  for_each = module.lambda.function_arns

  statement_id   = "AllowRawBucketInvoke"
  action         = "lambda:InvokeFunction"
  function_name  = each.value
  principal      = "s3.amazonaws.com"
  source_arn     = module.s3.raw_bucket_arn
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_s3_bucket_notification" "raw" {
  bucket = module.s3.bucket_names["raw"]

  dynamic "lambda_function" {
    for_each = local.notifications

    content {
      id                  = "etl-${lambda_function.value.dataset}${replace(lambda_function.value.suffix, ".", "-")}"
      lambda_function_arn = module.lambda.function_arns[lambda_function.value.dataset]
      events              = ["s3:ObjectCreated:*"]
      filter_prefix       = "incoming/${lambda_function.value.dataset}/"
      filter_suffix       = lambda_function.value.suffix
    }
  }

  depends_on = [aws_lambda_permission.raw_invokes_etl]
}

# ------------------------------------------------------------------ alarms that reach a person

module "alarms" {
  source = "../../infra/modules/alarms"

  name_prefix                   = var.name_prefix
  alarm_subscriptions           = var.alarm_subscriptions
  failure_queue_name            = "${var.name_prefix}-etl-failures"
  failure_age_threshold_seconds = var.failure_age_threshold_seconds
  function_names                = { for ds, f in local.functions : ds => f.name }

  # the queue, functions and crawler log group exist before their alarms and metric filters
  depends_on = [module.lambda, module.glue]
}
