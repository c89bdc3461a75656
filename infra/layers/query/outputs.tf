output "athena_workgroup" {
  description = "Athena workgroup (enforced configuration)."
  value       = module.athena.workgroup_name
}

output "bytes_scanned_cutoff_per_query" {
  description = "The Athena per-query scan cutoff in bytes."
  value       = var.bytes_scanned_cutoff_per_query
}

output "bytes_scanned_cutoff_ceiling" {
  description = "The highest per-query scan cutoff this lake accepts, in bytes."
  value       = var.bytes_scanned_cutoff_ceiling
}
