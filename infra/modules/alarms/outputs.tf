output "topic_arn" {
  description = "ARN of the SNS topic every lake alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the lake's CloudWatch alarms (what `lake status` reads)."
  value       = sort([for a in aws_cloudwatch_metric_alarm.this : a.alarm_name])
}
