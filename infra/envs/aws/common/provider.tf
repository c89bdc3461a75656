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
