variable "name_prefix" {
  description = "Prefix of every resource name (buckets <prefix>-raw ..., roles <prefix>-etl ..., database <prefix with _>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
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

  validation {
    condition     = alltrue([for cfg in values(var.datasets) : contains(["crawler", "projection"], cfg.partitioning)])
    error_message = "Each dataset's partitioning must be \"crawler\" (registered by the scheduled crawler) or \"projection\" (Athena partition projection on dt)."
  }

  validation {
    condition     = alltrue([for cfg in values(var.datasets) : can(formatdate("YYYY-MM-DD", "${cfg.projection_start}T00:00:00Z"))])
    error_message = "Each dataset's projection_start must be a date YYYY-MM-DD (the first day partition projection enumerates)."
  }

  validation {
    condition     = length(var.datasets) > 0
    error_message = "datasets must declare at least one dataset."
  }

  validation {
    condition     = alltrue([for ds in keys(var.datasets) : can(regex("^[a-z][a-z0-9_]{0,39}$", ds))])
    error_message = "Each dataset name must be lower_snake, start with a letter and be at most 40 characters (as in contracts/)."
  }

  validation {
    condition = alltrue([for cfg in values(var.datasets) : length(cfg.versions) > 0 && alltrue([
      for v in cfg.versions : v >= 1 && floor(v) == v
    ]) && length(distinct(cfg.versions)) == length(cfg.versions)])
    error_message = "Each dataset needs a non-empty list of distinct positive integer versions."
  }
}

variable "contracts_dir" {
  description = "Directory holding contracts/<dataset>/v<version>.json. null: the contracts/ folder next to infra/."
  type        = string
  default     = null
}

variable "handler_zip" {
  description = "Path of the handler deployment package (built by `lake build`, dist/handler.zip)."
  type        = string

  validation {
    condition     = endswith(var.handler_zip, ".zip")
    error_message = "handler_zip must be the path of a .zip file (run `lake build` to make dist/handler.zip)."
  }
}

variable "layer_zip" {
  description = "Path of the pyarrow layer zip (dist/pyarrow-layer.zip). Ignored when layer_arn is set."
  type        = string
  default     = null
}

variable "layer_arn" {
  description = "ARN of an existing pyarrow layer version for python3.12 (instead of uploading layer_zip)."
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

variable "state_key" {
  description = "Key of the Terraform state object in state_bucket_name."
  type        = string
  default     = "lake/terraform.tfstate"
}

variable "log_retention_days" {
  description = "Retention of the Lambda and crawler log groups in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ... 3653)."
  }
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

variable "lambda_memory_mb" {
  description = "Memory of each ETL function in MB (2 vCPUs from 3538 MB; see modules/lambda/README.md, Sizing)."
  type        = number
  default     = 3584
}

variable "lambda_timeout_seconds" {
  description = "Timeout of each ETL function in seconds (see modules/lambda/README.md, Sizing)."
  type        = number
  default     = 900
}

variable "crawler_schedule" {
  description = "Schedule of the crawlers (cron(...)), or null for on-demand only."
  type        = string
  default     = "cron(0 3 * * ? *)"
}

variable "manage_crawler_log_group" {
  description = "Create /aws-glue/crawlers with retention here; false when the account already manages it elsewhere."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let destroy remove non-empty buckets, keys soon and the workgroup's history. Only for throw-away environments."
  type        = bool
  default     = false
}

variable "alarm_subscriptions" {
  description = "Who is told when a lake alarm fires: SNS subscriptions of the alarm topic, e.g. [{ protocol = \"email\", endpoint = \"oncall@example.com\" }]."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}

variable "failure_age_threshold_seconds" {
  description = "Alarm when the oldest event in the failure queue is older than this many seconds."
  type        = number
  default     = 3600

  validation {
    condition     = var.failure_age_threshold_seconds >= 60 && var.failure_age_threshold_seconds < 1209600
    error_message = "failure_age_threshold_seconds must be at least 60 and below the failure queue's 14-day retention."
  }
}
