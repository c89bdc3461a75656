# Layer 2 of 4, ingestion: the ETL functions, their layer, log groups and failure queue, and the raw-bucket
# notifications that trigger them. It needs foundation's buckets and etl role, which it names
# (infra/modules/names) rather than reads from foundation's state: a Lambda change plans and applies here
# alone and cannot touch a bucket, a role or the catalog.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

module "names" {
  source = "../../modules/names"

  name_prefix   = var.name_prefix
  datasets      = var.datasets
  contracts_dir = var.contracts_dir
}

locals {
  etl_role_arn   = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${module.names.role_names["etl"]}"
  raw_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${module.names.bucket_names["raw"]}"

  # One notification filter per dataset and suffix.
  raw_suffixes = [".json", ".json.gz"]
  notifications = flatten([
    for ds in keys(var.datasets) : [
      for suffix in local.raw_suffixes : { dataset = ds, suffix = suffix }
    ]
  ])
}

module "lambda" {
  source = "../../modules/lambda"

  functions = module.names.functions
  role_arn  = local.etl_role_arn
  bucket_names = {
    raw        = module.names.bucket_names["raw"]
    curated    = module.names.bucket_names["curated"]
    quarantine = module.names.bucket_names["quarantine"]
    artifacts  = module.names.bucket_names["artifacts"]
  }
  handler_zip        = var.handler_zip
  layer_zip          = var.layer_zip
  layer_arn          = var.layer_arn
  layer_name         = module.names.layer_name
  failure_queue_name = module.names.failure_queue_name
  memory_mb          = var.lambda_memory_mb
  timeout_seconds    = var.lambda_timeout_seconds
  log_retention_days = var.log_retention_days
}

# ------------------------------------------------------------------ raw uploads trigger the ETL

resource "aws_lambda_permission" "raw_invokes_etl" {
  for_each = module.lambda.function_arns

  statement_id   = "AllowRawBucketInvoke"
  action         = "lambda:InvokeFunction"
  function_name  = each.value
  principal      = "s3.amazonaws.com"
  source_arn     = local.raw_bucket_arn
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_s3_bucket_notification" "raw" {
  bucket = module.names.bucket_names["raw"]

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
