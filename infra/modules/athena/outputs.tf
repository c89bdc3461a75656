output "workgroup_name" {
  description = "Name of the Athena workgroup."
  value       = aws_athena_workgroup.this.name
}

output "workgroup_arn" {
  description = "ARN of the Athena workgroup."
  value       = aws_athena_workgroup.this.arn
}

output "output_location" {
  description = "Where query results are written."
  value       = "s3://${var.results_bucket}/${var.results_prefix}/"
}
