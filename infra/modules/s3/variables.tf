variable "bucket_names" {
  description = "Bucket name per role: raw, curated, quarantine, athena_results, artifacts. Names are known at plan time so every policy that refers to them is too."
  type = object({
    raw            = string
    curated        = string
    quarantine     = string
    athena_results = string
    artifacts      = string
  })

  validation {
    condition     = alltrue([for name in values(var.bucket_names) : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", name))])
    error_message = "Every bucket name must be 3-63 characters of lower-case letters, digits, dots and hyphens."
  }
}

variable "kms_alias_name" {
  description = "Alias of the KMS key that encrypts every bucket, e.g. alias/lake-local-data."
  type        = string

  validation {
    condition     = can(regex("^alias/[A-Za-z0-9/_-]+$", var.kms_alias_name)) && !startswith(var.kms_alias_name, "alias/aws/")
    error_message = "kms_alias_name must look like alias/<name> and must not be in the reserved alias/aws/ namespace."
  }
}

variable "uploader_principal_arns" {
  description = "IAM principals (role or user ARNs) allowed to upload into the raw bucket under incoming/. Empty: no principal is granted upload by the bucket policy."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.uploader_principal_arns : can(regex("^arn:[a-z-]+:iam::[0-9]{12}:(role|user|root)", arn))])
    error_message = "Each uploader principal must be an IAM role, user or account root ARN (arn:<partition>:iam::<account>:role/...)."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete non-empty buckets. Only for throw-away environments (local, CI); keep false for a real lake: raw data must outlive the stack."
  type        = bool
  default     = false
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the KMS key is deleted after destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}
