output "raw_bucket" {
  description = "Raw bucket: uploads land under incoming/<dataset>/; versioned, never overwritten."
  value       = module.s3.bucket_names["raw"]
}

output "curated_bucket" {
  description = "Curated bucket: Parquet under dataset/<name>/schema=<ver>/dt=YYYY-MM-DD/."
  value       = module.s3.bucket_names["curated"]
}

output "quarantine_bucket" {
  description = "Quarantine bucket: error reports for rejected records under <dataset>/schema=<ver>/."
  value       = module.s3.bucket_names["quarantine"]
}

output "results_bucket" {
  description = "Athena query results bucket."
  value       = module.s3.bucket_names["athena_results"]
}

output "artifacts_bucket" {
  description = "Bucket holding the Lambda code and layer."
  value       = module.s3.bucket_names["artifacts"]
}

output "kms_key_arn" {
  description = "ARN of the key that encrypts the lake buckets."
  value       = module.s3.kms_key_arn
}

output "glue_database" {
  description = "Glue database of the lake."
  value       = module.glue.database_name
}

output "athena_workgroup" {
  description = "Athena workgroup (enforced configuration)."
  value       = module.athena.workgroup_name
}

output "failure_queue_url" {
  description = "URL of the queue that keeps events of failed ETL invocations."
  value       = module.lambda.failure_queue_url
}

output "failure_queue_arn" {
  description = "ARN of the on-failure destination queue."
  value       = module.lambda.failure_queue_arn
}

output "role_arns" {
  description = "Role ARN per service: etl, crawler, analyst, drift-reader."
  value       = module.iam.role_arns
}

output "functions" {
  description = "Per dataset: {name, arn, schema_version, curated_prefix} of its ETL function."
  value       = module.lambda.functions
}

output "tables" {
  description = "Per dataset version (<dataset>_v<ver>): {name, dataset, version, location} of its Glue table."
  value       = module.glue.tables
}

output "crawlers" {
  description = "Crawler name per dataset version (<dataset>_v<ver>)."
  value       = module.glue.crawlers
}

output "table_columns" {
  description = "Declared (name, Athena type) columns per dataset version, from the contracts."
  value       = module.glue.columns
}

output "bytes_scanned_cutoff_per_query" {
  description = "The Athena per-query scan cutoff in bytes."
  value       = var.bytes_scanned_cutoff_per_query
}

output "bytes_scanned_cutoff_ceiling" {
  description = "The highest per-query scan cutoff this lake accepts, in bytes."
  value       = var.bytes_scanned_cutoff_ceiling
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic every lake alarm notifies."
  value       = module.alarms.topic_arn
}

output "alarm_names" {
  description = "Names of the lake's CloudWatch alarms."
  value       = module.alarms.alarm_names
}

output "replay" {
  description = "For `lake replay --aws`: the batch-operations role ARN and the artifacts bucket's manifest and report prefixes."
  value       = module.iam.replay
}
