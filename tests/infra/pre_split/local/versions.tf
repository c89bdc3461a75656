terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # State stays on this machine; the path is given at init:
  #   terraform init -backend-config=path=/tmp/lake/terraform.tfstate
  backend "local" {}
}
