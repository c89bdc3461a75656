output "raw_bucket" {
  description = "Raw bucket: uploads land under incoming/<dataset>/; versioned, never overwritten."
  value       = module.foundation.raw_bucket
}

output "curated_bucket" {
  description = "Curated bucket: Parquet under dataset/<name>/schema=<ver>/dt=YYYY-MM-DD/."
  value       = module.foundation.curated_bucket
}

output "quarantine_bucket" {
  description = "Quarantine bucket: error reports for rejected records under <dataset>/schema=<ver>/."
  value       = module.foundation.quarantine_bucket
}

output "results_bucket" {
  description = "Athena query results bucket."
  value       = module.foundation.results_bucket
}

output "artifacts_bucket" {
  description = "Bucket holding the Lambda code and layer."
  value       = module.foundation.artifacts_bucket
}

output "kms_key_arn" {
  description = "ARN of the key that encrypts the lake buckets."
  value       = module.foundation.kms_key_arn
}

output "role_arns" {
  description = "Role ARN per service: etl, crawler, analyst, drift-reader."
  value       = module.foundation.role_arns
}

output "replay" {
  description = "For `lake replay --aws`: the batch-operations role ARN and the artifacts bucket's manifest and report prefixes."
  value       = module.foundation.replay
}
