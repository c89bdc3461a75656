output "bucket_names" {
  description = "Bucket name per role (raw, curated, quarantine, athena_results, artifacts)."
  value       = { for role, bucket in aws_s3_bucket.this : role => bucket.id }
}

output "bucket_arns" {
  description = "Bucket ARN per role."
  value       = { for role, bucket in aws_s3_bucket.this : role => bucket.arn }
}

output "raw_bucket_arn" {
  description = "ARN of the raw bucket (source of the Lambda notifications)."
  value       = aws_s3_bucket.this["raw"].arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts every lake bucket."
  value       = aws_kms_key.data.arn
}

output "kms_alias_name" {
  description = "Alias of the data key."
  value       = aws_kms_alias.data.name
}

output "raw_versioning_status" {
  description = "Versioning status of the raw bucket (always Enabled)."
  value       = aws_s3_bucket_versioning.raw.versioning_configuration[0].status
}
