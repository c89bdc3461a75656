variable "name_prefix" {
  description = "Prefix of every lake resource name; the topic is <prefix>-alarms, alarms <prefix>-... or <function>-errors/-throttles."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "alarm_subscriptions" {
  description = "Who hears an alarm: SNS subscriptions of the alarm topic, e.g. [{ protocol = \"email\", endpoint = \"oncall@example.com\" }]. Email subscriptions must be confirmed by their recipient."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.alarm_subscriptions : contains(["email", "email-json", "sms", "https", "http", "sqs", "lambda", "firehose", "application"], s.protocol)])
    error_message = "Each alarm_subscriptions protocol must be an SNS protocol: email, email-json, sms, https, http, sqs, lambda, firehose or application."
  }

  validation {
    condition     = alltrue([for s in var.alarm_subscriptions : length(trimspace(s.endpoint)) > 0])
    error_message = "Each alarm_subscriptions entry needs a non-empty endpoint (an address, URL, number or ARN)."
  }
}

variable "failure_queue_name" {
  description = "Name of the ETL on-failure queue whose depth and oldest-message age are alarmed."
  type        = string
}

variable "failure_age_threshold_seconds" {
  description = "Alarm when the oldest event in the failure queue is older than this many seconds."
  type        = number
  default     = 3600

  validation {
    condition     = var.failure_age_threshold_seconds >= 60 && var.failure_age_threshold_seconds < 1209600
    error_message = "failure_age_threshold_seconds must be at least 60 and below the queue's 14-day retention (1209600)."
  }
}

variable "function_names" {
  description = "ETL function name per dataset; each gets an Errors and a Throttles alarm."
  type        = map(string)
}

variable "crawler_log_group" {
  description = "Log group the Glue crawlers write to; metric filters on it count errors and schema differences."
  type        = string
  default     = "/aws-glue/crawlers"
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the metrics the crawler log filters publish."
  type        = string
  default     = "Lake"

  validation {
    condition     = length(var.metric_namespace) > 0 && !startswith(var.metric_namespace, "AWS/")
    error_message = "metric_namespace must be non-empty and not start with AWS/ (reserved for AWS services)."
  }
}
