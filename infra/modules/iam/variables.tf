variable "name_prefix" {
  description = "Prefix of every lake resource name; roles are <prefix>-etl, <prefix>-crawler, <prefix>-analyst, <prefix>-drift-reader."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "bucket_names" {
  description = "Bucket name per role (raw, curated, quarantine, athena_results, artifacts); policies are built from names so a plan shows them in full."
  type = object({
    raw            = string
    curated        = string
    quarantine     = string
    athena_results = string
    artifacts      = string
  })
}

variable "kms_alias_name" {
  description = "Alias of the data key; key permissions are granted on keys carrying this alias, which is known at plan time."
  type        = string
}

variable "functions" {
  description = "ETL function per dataset: its name and the curated prefix it writes (dataset/<name>/schema=<ver>, no slashes at the ends)."
  type = map(object({
    name           = string
    curated_prefix = string
  }))
}

variable "tables" {
  description = "Glue table per dataset version: table name and the curated prefix its crawler reads."
  type = map(object({
    name           = string
    curated_prefix = string
  }))
}

variable "glue_database" {
  description = "Name of the Glue database of the lake."
  type        = string
}

variable "athena_workgroup" {
  description = "Name of the Athena workgroup the analyst role may use."
  type        = string
}

variable "failure_queue_name" {
  description = "Name of the SQS queue that receives failed ETL invocations."
  type        = string
}

variable "crawler_log_group" {
  description = "Log group Glue crawlers write to."
  type        = string
  default     = "/aws-glue/crawlers"
}

variable "analyst_principal_arns" {
  description = "Principals that may assume the analyst role. null: the account root (delegate with IAM in the account)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.analyst_principal_arns == null ? true : length(var.analyst_principal_arns) > 0
    error_message = "analyst_principal_arns must be null (account root) or a non-empty list of principal ARNs."
  }
}

variable "ci_principal_arns" {
  description = "Principals that may assume the drift-reader role (e.g. the CI OIDC role). null: the account root."
  type        = list(string)
  default     = null

  validation {
    condition     = var.ci_principal_arns == null ? true : length(var.ci_principal_arns) > 0
    error_message = "ci_principal_arns must be null (account root) or a non-empty list of principal ARNs."
  }
}

variable "state_bucket_name" {
  description = "Bucket holding the Terraform state, which the drift-reader role may read. null: no state bucket access (local state)."
  type        = string
  default     = null
}

variable "state_keys" {
  description = "Object keys of the lake's Terraform state (one per layer) inside state_bucket_name."
  type        = list(string)
  default     = ["lake/foundation.tfstate", "lake/ingestion.tfstate", "lake/catalog.tfstate", "lake/query.tfstate"]
}

variable "replay_manifest_prefix" {
  description = "Prefix in the artifacts bucket of the replay manifests the batch-operations role may read (ends with /)."
  type        = string
  default     = "replay/manifests/"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9/_-]*/$", var.replay_manifest_prefix))
    error_message = "replay_manifest_prefix must be a relative prefix ending with / (e.g. replay/manifests/)."
  }
}

variable "replay_report_prefix" {
  description = "Prefix in the artifacts bucket where replay jobs write their completion reports (ends with /)."
  type        = string
  default     = "replay/reports/"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9/_-]*/$", var.replay_report_prefix))
    error_message = "replay_report_prefix must be a relative prefix ending with / (e.g. replay/reports/)."
  }
}
