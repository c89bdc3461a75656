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

variable "log_retention_days" {
  description = "Retention of the Lambda and crawler log groups in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ... 3653)."
  }
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
