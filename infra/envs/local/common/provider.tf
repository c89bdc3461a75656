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
