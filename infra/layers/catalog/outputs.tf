output "glue_database" {
  description = "Glue database of the lake."
  value       = module.glue.database_name
}

output "tables" {
  description = "Per dataset version (<dataset>_v<ver>): {name, dataset, version, location} of its Glue table."
  value       = module.glue.tables
}

output "crawlers" {
  description = "Crawler name per dataset version (<dataset>_v<ver>)."
  value       = module.glue.crawlers
}

output "table_columns" {
  description = "Declared (name, Athena type) columns per dataset version, from the contracts."
  value       = module.glue.columns
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic every lake alarm notifies."
  value       = module.alarms.topic_arn
}

output "alarm_names" {
  description = "Names of the lake's CloudWatch alarms."
  value       = module.alarms.alarm_names
}
