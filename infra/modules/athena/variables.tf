variable "workgroup_name" {
  description = "Name of the Athena workgroup."
  type        = string
}

variable "results_bucket" {
  description = "Name of the bucket that holds query results (and nothing else)."
  type        = string
}

variable "results_prefix" {
  description = "Prefix of query results inside the results bucket (no slashes at the ends)."
  type        = string
  default     = "results"

  validation {
    condition     = can(regex("^[A-Za-z0-9_=-]+(/[A-Za-z0-9_=-]+)*$", var.results_prefix))
    error_message = "results_prefix must be a key prefix without leading or trailing slashes."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts query results (SSE_KMS)."
  type        = string
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena cancels a query that scans more bytes than this (minimum 10 MB)."
  type        = number

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10485760
    error_message = "bytes_scanned_cutoff_per_query must be at least 10485760 (10 MB), Athena's minimum."
  }
}

variable "force_destroy" {
  description = "Delete the workgroup even when it holds saved queries or history (throw-away environments only)."
  type        = bool
  default     = false
}
