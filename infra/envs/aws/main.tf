# Copy this directory for a real account: set the variables in a terraform.tfvars, init with your state
# bucket (see versions.tf), then plan, run `lake policy check` on the plan, and apply.

provider "aws" {
  region              = var.aws_region
  allowed_account_ids = var.allowed_account_ids

  default_tags {
    tags = {
      Project     = "lake"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

module "lake" {
  source = "../.."

  name_prefix                    = var.name_prefix
  datasets                       = var.datasets
  handler_zip                    = var.handler_zip
  layer_zip                      = var.layer_zip
  layer_arn                      = var.layer_arn
  uploader_principal_arns        = var.uploader_principal_arns
  analyst_principal_arns         = var.analyst_principal_arns
  ci_principal_arns              = var.ci_principal_arns
  state_bucket_name              = var.state_bucket_name
  state_key                      = var.state_key
  bytes_scanned_cutoff_per_query = var.bytes_scanned_cutoff_per_query
  bytes_scanned_cutoff_ceiling   = var.bytes_scanned_cutoff_ceiling
  log_retention_days             = var.log_retention_days
  alarm_subscriptions            = var.alarm_subscriptions
  force_destroy                  = false
}
