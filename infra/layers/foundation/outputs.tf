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

output "role_arns" {
  description = "Role ARN per service: etl, crawler, analyst, drift-reader."
  value       = module.iam.role_arns
}

output "replay" {
  description = "For `lake replay --aws`: the batch-operations role ARN and the artifacts bucket's manifest and report prefixes."
  value       = module.iam.replay
}
