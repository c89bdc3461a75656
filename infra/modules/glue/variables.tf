variable "database_name" {
  description = "Name of the Glue database (lower_snake)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,254}$", var.database_name))
    error_message = "database_name must be lower_snake (letters, digits, underscores), starting with a letter."
  }
}

variable "tables" {
  description = "One table and one crawler per dataset version: table name, crawler name, dataset, version, curated prefix, the contract file that declares the columns, how partitions are registered (crawler or projection) and the first projected day."
  type = map(object({
    name             = string
    crawler_name     = string
    dataset          = string
    version          = number
    curated_prefix   = string
    contract_file    = string
    partitioning     = optional(string, "crawler")
    projection_start = optional(string, "2006-01-01")
  }))

  validation {
    condition     = alltrue([for t in values(var.tables) : contains(["crawler", "projection"], t.partitioning)])
    error_message = "Each table's partitioning must be \"crawler\" or \"projection\"."
  }

  validation {
    condition     = alltrue([for t in values(var.tables) : can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", t.projection_start))])
    error_message = "Each table's projection_start must be a date YYYY-MM-DD."
  }
}

variable "curated_bucket" {
  description = "Name of the curated bucket: every table location (and projection template) is inside it."
  type        = string
}

variable "crawler_role_arn" {
  description = "ARN of the crawler role."
  type        = string
}

variable "crawler_schedule" {
  description = "Schedule of every crawler (a cron() expression), or null for on-demand crawlers."
  type        = string
  default     = "cron(0 3 * * ? *)"

  validation {
    condition     = var.crawler_schedule == null ? true : can(regex("^cron\\(.+\\)$", var.crawler_schedule))
    error_message = "crawler_schedule must be a cron(...) expression or null."
  }
}

variable "crawler_log_group" {
  description = "The log group Glue crawlers write to (fixed by Glue)."
  type        = string
  default     = "/aws-glue/crawlers"
}

variable "manage_crawler_log_group" {
  description = "Create the crawler log group here. Set false when another stack in the account already manages /aws-glue/crawlers."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the crawler log group in days."
  type        = number
}
