# One ETL function per dataset. Code and the pyarrow layer are uploaded to the artifacts bucket (never to a
# data bucket); each function has its log group with retention and an on-failure destination queue so no
# event is lost. Environment variables come from here: the handler has no bucket names or paths of its own.

locals {
  upload_layer = var.layer_arn == null
  layer_arn    = local.upload_layer ? aws_lambda_layer_version.pyarrow[0].arn : var.layer_arn
}

resource "aws_s3_object" "handler" {
  bucket      = var.bucket_names.artifacts
  key         = "lambda/handler-${filemd5(var.handler_zip)}.zip"
  source      = var.handler_zip
  source_hash = filemd5(var.handler_zip)
}

resource "aws_s3_object" "layer" {
  count = local.upload_layer ? 1 : 0

  bucket      = var.bucket_names.artifacts
  key         = "lambda/pyarrow-layer-${filemd5(var.layer_zip)}.zip"
  source      = var.layer_zip
  source_hash = filemd5(var.layer_zip)

  lifecycle {
    precondition {
      condition     = var.layer_zip != null
      error_message = "Set layer_zip (the pyarrow layer built by `lake build`) or layer_arn (an existing layer)."
    }
  }
}

resource "aws_lambda_layer_version" "pyarrow" {
  count = local.upload_layer ? 1 : 0

  layer_name               = var.layer_name
  description              = "pyarrow for the lake ETL (manylinux x86_64, Python 3.12)"
  s3_bucket                = aws_s3_object.layer[0].bucket
  s3_key                   = aws_s3_object.layer[0].key
  source_code_hash         = filebase64sha256(var.layer_zip)
  compatible_runtimes      = ["python3.12"]
  compatible_architectures = ["x86_64"]
}

resource "aws_sqs_queue" "failures" {
  name                      = var.failure_queue_name
  message_retention_seconds = 1209600 # 14 days, the maximum: time to replay
  # SSE-SQS: encrypted at rest without a key grant for Lambda's destination delivery, and no dependency on
  # the data key (the queue is created in parallel with it; SQS creation waits ~25 s for attributes).
  sqs_managed_sse_enabled = true
}

resource "aws_cloudwatch_log_group" "etl" {
  #checkov:skip=CKV_AWS_158:follow-up: KMS on log groups needs a key policy grant for logs.<region>.amazonaws.com
  #checkov:skip=CKV_AWS_338:retention is the log_retention_days variable; the local environment keeps 7 days on purpose
  for_each = var.functions

  name              = "/aws/lambda/${each.value.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "etl" {
  #checkov:skip=CKV_AWS_116:failed async events go to an on-failure destination (SQS, ETL-FAILURES-KEPT) instead of a DLQ
  #checkov:skip=CKV_AWS_117:the function reaches only S3, SQS and KMS public endpoints; no VPC is part of the architecture
  #checkov:skip=CKV_AWS_173:the environment holds bucket names and a prefix, no secrets
  #checkov:skip=CKV_AWS_272:artifacts are built and uploaded by the same reviewed pipeline; code signing is out of scope
  #checkov:skip=CKV_AWS_115:follow-up: reserved concurrency not capped yet
  #checkov:skip=CKV_AWS_50:follow-up: X-Ray tracing not enabled yet
  for_each = var.functions

  function_name    = each.value.name
  description      = "Validates ${each.key} uploads against contract v${each.value.schema_version} and writes curated Parquet"
  role             = var.role_arn
  runtime          = "python3.12"
  handler          = "handler.app.lambda_handler"
  architectures    = ["x86_64"]
  s3_bucket        = aws_s3_object.handler.bucket
  s3_key           = aws_s3_object.handler.key
  source_code_hash = filebase64sha256(var.handler_zip)
  layers           = [local.layer_arn]
  memory_size      = var.memory_mb
  timeout          = var.timeout_seconds

  environment {
    variables = {
      DATASET           = each.key
      SCHEMA_VERSION    = tostring(each.value.schema_version)
      RAW_BUCKET        = var.bucket_names.raw
      CURATED_BUCKET    = var.bucket_names.curated
      CURATED_PREFIX    = each.value.curated_prefix
      QUARANTINE_BUCKET = var.bucket_names.quarantine
    }
  }

  depends_on = [aws_cloudwatch_log_group.etl]
}

resource "aws_lambda_function_event_invoke_config" "etl" {
  for_each = aws_lambda_function.etl

  function_name                = each.value.function_name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = 21600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failures.arn
    }
  }
}
