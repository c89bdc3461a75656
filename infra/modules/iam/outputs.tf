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
