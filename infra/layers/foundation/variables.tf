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

variable "uploader_principal_arns" {
  description = "Principals allowed to upload raw data (PutObject under incoming/ only). Empty: the bucket policy grants upload to nobody."
  type        = list(string)
  default     = []
}

variable "analyst_principal_arns" {
  description = "Principals that may assume the analyst role. null: the account root."
  type        = list(string)
  default     = null
}

variable "ci_principal_arns" {
  description = "Principals that may assume the drift-reader role (e.g. a CI OIDC role). null: the account root."
  type        = list(string)
  default     = null
}

variable "state_bucket_name" {
  description = "Bucket of the Terraform state the drift-reader role may read; null when state is local."
  type        = string
  default     = null
}

variable "state_keys" {
  description = "Keys of the lake's Terraform state objects in state_bucket_name (one per layer), which the drift-reader role may read."
  type        = list(string)
  default = [
    "lake/foundation.tfstate",
    "lake/ingestion.tfstate",
    "lake/catalog.tfstate",
    "lake/query.tfstate",
  ]

  validation {
    condition     = alltrue([for k in var.state_keys : length(k) > 0 && !strcontains(k, "*")])
    error_message = "state_keys must be exact object keys (no wildcards)."
  }
}

variable "force_destroy" {
  description = "Let destroy remove non-empty buckets and the KMS key soon. Only for throw-away environments."
  type        = bool
  default     = false
}
