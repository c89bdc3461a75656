output "bucket_names" {
  description = "Bucket name per kind: raw, curated, quarantine, athena_results, artifacts."
  value       = local.bucket_names
}

output "kms_alias_name" {
  description = "Alias of the KMS key that encrypts the lake buckets (alias/<prefix>-data)."
  value       = "alias/${var.name_prefix}-data"
}

output "role_names" {
  description = "Role name per service: etl, crawler, analyst, drift-reader, batch-operations."
  value       = local.role_names
}

output "functions" {
  description = "Per dataset: {name, schema_version, curated_prefix} of its ETL function."
  value       = local.functions
}

output "tables" {
  description = "Per dataset version (<dataset>_v<ver>): its Glue table, crawler, curated prefix, contract file and partitioning."
  value       = local.tables
}

output "database_name" {
  description = "Glue database of the lake (name_prefix with _ for -)."
  value       = local.database_name
}

output "athena_workgroup" {
  description = "Athena workgroup name (name_prefix)."
  value       = var.name_prefix
}

output "failure_queue_name" {
  description = "Name of the ETL functions' on-failure queue."
  value       = "${var.name_prefix}-etl-failures"
}

output "layer_name" {
  description = "Name of the pyarrow Lambda layer."
  value       = "${var.name_prefix}-pyarrow"
}

output "crawler_log_group" {
  description = "Log group the Glue crawlers write to."
  value       = "/aws-glue/crawlers"
}
