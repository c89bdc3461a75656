# One workgroup whose settings override the client's: results always go to the results bucket, encrypted with
# the lake key, and no query may scan more than the cutoff.

resource "aws_athena_workgroup" "this" {
  name          = var.workgroup_name
  description   = "Queries over the curated lake; configuration enforced"
  state         = "ENABLED"
  force_destroy = var.force_destroy

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query

    result_configuration {
      output_location = "s3://${var.results_bucket}/${var.results_prefix}/"

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }
}
