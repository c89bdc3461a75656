# terraform test (no AWS: a mock provider); run from infra/modules/s3: terraform init && terraform test

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  # aws_iam_policy_document is evaluated by the real provider logic only with a real provider; the mock
  # returns its json as given here, so the policy assertions live in the e2e tests and the policy gate.
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  bucket_names = {
    raw            = "t-raw"
    curated        = "t-curated"
    quarantine     = "t-quarantine"
    athena_results = "t-athena-results"
    artifacts      = "t-artifacts"
  }
  kms_alias_name = "alias/t-data"
}

run "every_bucket_gets_the_baseline" {
  command = plan

  assert {
    condition     = length(aws_s3_bucket.this) == 5
    error_message = "Expected the five lake buckets."
  }

  assert {
    condition = alltrue([for b in aws_s3_bucket_public_access_block.this :
    b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets])
    error_message = "Every bucket needs all four public access blocks."
  }

  assert {
    condition     = alltrue([for o in aws_s3_bucket_ownership_controls.this : o.rule[0].object_ownership == "BucketOwnerEnforced"])
    error_message = "Every bucket needs BucketOwnerEnforced ownership."
  }

  assert {
    condition = alltrue([for e in aws_s3_bucket_server_side_encryption_configuration.this :
    one([for r in e.rule : one(r.apply_server_side_encryption_by_default).sse_algorithm]) == "aws:kms"])
    error_message = "Every bucket needs SSE-KMS default encryption."
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 5
    error_message = "Every bucket needs a bucket policy (TLS-only)."
  }
}

run "raw_is_versioned_and_kept" {
  command = plan

  assert {
    condition     = aws_s3_bucket_versioning.raw.versioning_configuration[0].status == "Enabled"
    error_message = "The raw bucket must have versioning Enabled."
  }

  assert {
    condition     = alltrue([for b in aws_s3_bucket.this : b.force_destroy == false])
    error_message = "force_destroy must default to false."
  }
}

run "bucket_names_are_known_at_plan_time" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this["raw"].bucket == "t-raw" && aws_s3_bucket.this["curated"].bucket == "t-curated"
    error_message = "Bucket names must be known before apply."
  }
}

run "rejects_a_reserved_kms_alias" {
  command = plan

  variables {
    kms_alias_name = "alias/aws/s3"
  }

  expect_failures = [var.kms_alias_name]
}
