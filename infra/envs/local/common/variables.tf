variable "aws_endpoint" {
  description = "URL of the local AWS endpoint (moto server), e.g. http://127.0.0.1:5000."
  type        = string

  validation {
    condition     = can(regex("^https?://(127\\.[0-9.]+|localhost|\\[::1\\])(:[0-9]+)?/?$", var.aws_endpoint))
    error_message = "aws_endpoint must be a loopback URL such as http://127.0.0.1:5000: this root never talks to real AWS."
  }
}

variable "aws_region" {
  description = "Region the local endpoint pretends to be."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like us-east-1."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
  default     = "lake-local"
}

variable "datasets" {
  description = "Datasets, their contract versions (each needs contracts/<dataset>/v<version>.json) and partitioning (crawler or projection; see the root's datasets variable)."
  type = map(object({
    versions         = list(number)
    partitioning     = optional(string, "crawler")
    projection_start = optional(string, "2006-01-01")
  }))
  default = {
    users  = { versions = [1] }
    tweets = { versions = [1], partitioning = "projection" }
  }
}

variable "contracts_dir" {
  description = "Directory of the contracts; null: contracts/ at the repository root."
  type        = string
  default     = null
}

variable "handler_zip" {
  description = "Path of the handler package (relative paths are relative to the layer directory)."
  type        = string
  default     = "../../../../dist/handler.zip"
}

variable "layer_zip" {
  description = "Path of the pyarrow layer zip (relative paths are relative to the layer directory)."
  type        = string
  default     = "../../../../dist/pyarrow-layer.zip"
}

variable "uploader_principal_arns" {
  description = "Principals allowed to upload into raw under incoming/."
  type        = list(string)
  default     = []
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena per-query scan cutoff in bytes."
  type        = number
  default     = 1073741824 # 1 GiB
}

variable "bytes_scanned_cutoff_ceiling" {
  description = "The highest per-query scan cutoff allowed, in bytes."
  type        = number
  default     = 10737418240 # 10 GiB
}
