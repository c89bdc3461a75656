variable "name_prefix" {
  description = "Prefix of every resource name (buckets <prefix>-raw ..., roles <prefix>-etl ..., database <prefix with _>)."
  type        = string
}

variable "datasets" {
  description = <<-EOT
    Datasets and their contract versions: { users = { versions = [1] } }. Each version needs
    contracts/<dataset>/v<version>.json; the Lambda writes the highest version, every version gets a table and a
    crawler. partitioning says how new dt partitions reach the catalog: "crawler" (default) registers them on the
    crawler's schedule (data is invisible to Athena until then; few, irregular days); "projection" uses Athena
    partition projection on dt from projection_start (YYYY-MM-DD) to today: data is queryable as soon as the ETL
    writes it, with no crawler run and no partition API calls (daily data, many days); its crawler then only
    reports schema changes.
  EOT
  type = map(object({
    versions         = list(number)
    partitioning     = optional(string, "crawler")
    projection_start = optional(string, "2006-01-01")
  }))
}

variable "contracts_dir" {
  description = "Directory holding contracts/<dataset>/v<version>.json. null: the contracts/ folder next to infra/."
  type        = string
  default     = null
}

variable "bytes_scanned_cutoff_ceiling" {
  description = "The highest per-query scan cutoff this lake accepts, in bytes (the policy gate checks against it)."
  type        = number
  default     = 107374182400 # 100 GiB

  validation {
    condition     = var.bytes_scanned_cutoff_ceiling >= 10485760
    error_message = "bytes_scanned_cutoff_ceiling must be at least 10485760 (10 MB)."
  }
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena cancels a query that scans more than this many bytes."
  type        = number
  default     = 10737418240 # 10 GiB

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10485760 && var.bytes_scanned_cutoff_per_query <= var.bytes_scanned_cutoff_ceiling
    error_message = "bytes_scanned_cutoff_per_query must be between 10485760 (10 MB) and bytes_scanned_cutoff_ceiling."
  }
}

variable "force_destroy" {
  description = "Let destroy remove the workgroup with its query history. Only for throw-away environments."
  type        = bool
  default     = false
}
