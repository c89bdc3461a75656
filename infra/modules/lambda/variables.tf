variable "functions" {
  description = "One ETL function per dataset: function name, the schema version it writes and its curated prefix (dataset/<name>/schema=<ver>)."
  type = map(object({
    name           = string
    schema_version = number
    curated_prefix = string
  }))

  validation {
    condition     = alltrue([for ds, f in var.functions : f.curated_prefix == "dataset/${ds}/schema=${f.schema_version}"])
    error_message = "Each function's curated_prefix must be dataset/<dataset>/schema=<schema_version>."
  }
}

variable "role_arn" {
  description = "ARN of the etl role every function runs as."
  type        = string
}

variable "bucket_names" {
  description = "Bucket names the functions read and write (raw, curated, quarantine) and the artifacts bucket their code is uploaded to."
  type = object({
    raw        = string
    curated    = string
    quarantine = string
    artifacts  = string
  })
}

variable "handler_zip" {
  description = "Path of the handler deployment package (code + contracts), built by `lake build`."
  type        = string
}

variable "layer_zip" {
  description = "Path of the pyarrow layer zip. Ignored when layer_arn is set."
  type        = string
  default     = null
}

variable "layer_arn" {
  description = "ARN of an existing Lambda layer version that provides pyarrow for python3.12; null uploads layer_zip instead."
  type        = string
  default     = null

  validation {
    condition     = var.layer_arn == null ? true : can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", var.layer_arn))
    error_message = "layer_arn must be a layer version ARN: arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>."
  }
}

variable "layer_name" {
  description = "Name of the uploaded pyarrow layer."
  type        = string
}

variable "failure_queue_name" {
  description = "Name of the SQS queue that keeps events of failed invocations (the on-failure destination)."
  type        = string
}

variable "memory_mb" {
  description = "Memory of each ETL function in MB. Lambda gives 2 vCPUs from 3538 MB, the 2 cores the handler's throughput is measured on; its peak RSS stays under 512 MB at any input size (README.md, Sizing)."
  type        = number
  default     = 3584

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240
    error_message = "memory_mb must be between 128 and 10240."
  }
}

variable "timeout_seconds" {
  description = "Timeout of each ETL function in seconds: the largest object (2 GiB decompressed, MAX_DECOMPRESSED_BYTES) at the slowest measured throughput, with a margin (README.md, Sizing)."
  type        = number
  default     = 900

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 900
    error_message = "timeout_seconds must be between 1 and 900."
  }
}

variable "maximum_retry_attempts" {
  description = "Retries of a failed asynchronous invocation before its event goes to the failure queue."
  type        = number
  default     = 2

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 2
    error_message = "maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "log_retention_days" {
  description = "Retention of each function's log group in days."
  type        = number
}
