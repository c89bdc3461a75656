# The lake against a local AWS endpoint (moto server on loopback): the same modules as a real account, with
# every service endpoint pointed at var.aws_endpoint and throw-away settings (force_destroy).

provider "aws" {
  region                      = var.aws_region
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false
  s3_use_path_style           = true

  endpoints {
    athena         = var.aws_endpoint
    cloudwatch     = var.aws_endpoint
    cloudwatchlogs = var.aws_endpoint
    glue           = var.aws_endpoint
    iam            = var.aws_endpoint
    kms            = var.aws_endpoint
    lambda         = var.aws_endpoint
    s3             = var.aws_endpoint
    sns            = var.aws_endpoint
    sqs            = var.aws_endpoint
    sts            = var.aws_endpoint
  }

  default_tags {
    tags = {
      Project     = "lake"
      Environment = "local"
      ManagedBy   = "terraform"
    }
  }
}

module "lake" {
  source = "../lake"

  name_prefix                    = var.name_prefix
  datasets                       = var.datasets
  contracts_dir                  = var.contracts_dir
  handler_zip                    = var.handler_zip
  layer_zip                      = var.layer_zip
  uploader_principal_arns        = var.uploader_principal_arns
  bytes_scanned_cutoff_per_query = var.bytes_scanned_cutoff_per_query
  bytes_scanned_cutoff_ceiling   = var.bytes_scanned_cutoff_ceiling
  log_retention_days             = 7
  force_destroy                  = true
}
