terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Partial configuration: give the rest at init so no account detail is committed, e.g.
  #   terraform init \
  #     -backend-config="bucket=my-tf-state" \
  #     -backend-config="key=lake/<layer>.tfstate" \   (<layer>: foundation, ingestion, catalog, query)
  #     -backend-config="region=eu-west-1"
  # use_lockfile keeps a lock object next to the state (S3 conditional writes): no DynamoDB table.
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
