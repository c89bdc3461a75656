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

variable "log_retention_days" {
  description = "Retention of the Lambda and crawler log groups in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ... 3653)."
  }
}
