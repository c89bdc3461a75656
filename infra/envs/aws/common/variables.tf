variable "aws_region" {
  description = "Region the lake is deployed in."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like eu-west-1."
  }
}

variable "allowed_account_ids" {
  description = "The AWS account(s) this configuration may touch; Terraform refuses any other (guards against the wrong profile)."
  type        = list(string)

  validation {
    condition     = length(var.allowed_account_ids) > 0 && alltrue([for id in var.allowed_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "allowed_account_ids must list at least one 12-digit account id."
  }
}

variable "environment" {
  description = "Environment tag (e.g. prod, staging)."
  type        = string
  default     = "prod"
}

variable "name_prefix" {
  description = "Prefix of every resource name; bucket names are global, so make it unique (e.g. <org>-lake-prod)."
  type        = string
}

variable "datasets" {
  description = "Datasets, their contract versions (each needs contracts/<dataset>/v<version>.json) and partitioning (crawler or projection; see the root's datasets variable)."
  type = map(object({
    versions         = list(number)
    partitioning     = optional(string, "crawler")
    projection_start = optional(string, "2006-01-01")
  }))
}

variable "handler_zip" {
  description = "Path of the handler package built by `lake build`."
  type        = string
  default     = "../../../../dist/handler.zip"
}

variable "layer_zip" {
  description = "Path of the pyarrow layer zip built by `lake build` (ignored when layer_arn is set)."
  type        = string
  default     = "../../../../dist/pyarrow-layer.zip"
}

variable "layer_arn" {
  description = "An existing pyarrow layer version ARN for python3.12, instead of uploading layer_zip."
  type        = string
  default     = null
}

variable "uploader_principal_arns" {
  description = "Principals that upload raw data (PutObject under incoming/ only)."
  type        = list(string)
  default     = []
}

variable "analyst_principal_arns" {
  description = "Principals that may assume the analyst role; null: the account root."
  type        = list(string)
  default     = null
}

variable "ci_principal_arns" {
  description = "Principals that may assume the drift-reader role (your CI OIDC role); null: the account root."
  type        = list(string)
  default     = null
}

variable "state_bucket_name" {
  description = "The state bucket given at init, so the drift-reader role can read the state; null: no access."
  type        = string
  default     = null
}

variable "state_key_prefix" {
  description = "Prefix of the layers' state keys given at init: each layer's state is <prefix>/<layer>.tfstate in state_bucket_name (the drift-reader role may read the four)."
  type        = string
  default     = "lake"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()/-]*[A-Za-z0-9_.-]$", var.state_key_prefix)) && !strcontains(var.state_key_prefix, "*")
    error_message = "state_key_prefix must be an S3 key prefix without a trailing slash or wildcard, e.g. lake or teams/data/lake."
  }
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena per-query scan cutoff in bytes."
  type        = number
  default     = 10737418240 # 10 GiB
}

variable "bytes_scanned_cutoff_ceiling" {
  description = "The highest per-query scan cutoff allowed."
  type        = number
  default     = 107374182400 # 100 GiB
}

variable "log_retention_days" {
  description = "Retention of the Lambda and crawler log groups in days."
  type        = number
  default     = 90
}

variable "alarm_subscriptions" {
  description = "Who is told when a lake alarm fires (SNS subscriptions), e.g. [{ protocol = \"email\", endpoint = \"oncall@example.com\" }]."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}
