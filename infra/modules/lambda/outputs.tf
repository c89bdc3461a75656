output "functions" {
  description = "Per dataset: function name, ARN, schema version and curated prefix."
  value = {
    for ds, fn in aws_lambda_function.etl : ds => {
      name           = fn.function_name
      arn            = fn.arn
      schema_version = var.functions[ds].schema_version
      curated_prefix = var.functions[ds].curated_prefix
    }
  }
}

output "function_arns" {
  description = "Function ARN per dataset (for notifications and permissions)."
  value       = { for ds, fn in aws_lambda_function.etl : ds => fn.arn }
}

output "failure_queue_url" {
  description = "URL of the on-failure destination queue."
  value       = aws_sqs_queue.failures.url
}

output "failure_queue_arn" {
  description = "ARN of the on-failure destination queue."
  value       = aws_sqs_queue.failures.arn
}

output "layer_arn" {
  description = "The pyarrow layer version the functions use."
  value       = local.layer_arn
}

output "log_groups" {
  description = "Log group name per dataset."
  value       = { for ds, lg in aws_cloudwatch_log_group.etl : ds => lg.name }
}
