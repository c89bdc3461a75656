output "role_arns" {
  description = "Role ARN per service: etl, crawler, analyst, drift-reader."
  value       = { for service, role in aws_iam_role.this : service => role.arn }
}

output "role_names" {
  description = "Role name per service."
  value       = { for service, role in aws_iam_role.this : service => role.name }
}

output "policy_documents" {
  description = "The inline permission policy JSON per service, as planned."
  value       = local.permissions
}

output "replay" {
  description = "What `lake replay --aws` needs: the role Batch Operations jobs run as, and the manifest and report prefixes of the artifacts bucket."
  value = {
    role_arn        = aws_iam_role.batch_operations.arn
    manifest_prefix = var.replay_manifest_prefix
    report_prefix   = var.replay_report_prefix
  }
}
