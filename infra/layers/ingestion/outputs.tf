output "functions" {
  description = "Per dataset: {name, arn, schema_version, curated_prefix} of its ETL function."
  value       = module.lambda.functions
}

output "failure_queue_url" {
  description = "URL of the queue that keeps events of failed ETL invocations."
  value       = module.lambda.failure_queue_url
}

output "failure_queue_arn" {
  description = "ARN of the on-failure destination queue."
  value       = module.lambda.failure_queue_arn
}
