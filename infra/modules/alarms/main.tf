# Alarms that reach a person: one SNS topic (subscriptions from a variable) and CloudWatch alarms on the
# failure queue, each ETL function and the crawlers' logs. Every alarm's description names the runbook
# command that fixes what it reports; ALARMS-PRESENT (policies/checks/alarms_present.py) requires them.

locals {
  redrive = "Runbook: `lake replay --redrive` re-runs the kept events once the cause is fixed."
  queue   = { QueueName = var.failure_queue_name }

  crawler_signals = {
    failures = {
      pattern     = "ERROR"
      description = "A Glue crawler logged an error in ${var.crawler_log_group}: the run failed or skipped partitions. Runbook: read the log, fix, then `lake crawl`."
    }
    schema-differences = {
      pattern     = "?\"schema change\" ?\"Schema change\" ?\"SchemaChangePolicy\""
      description = "A Glue crawler logged schema differences against a declared table (update_behavior LOG: nothing applied). Runbook: `lake drift` and the contract, then `lake crawl`."
    }
  }

  # Every alarm fires on a value above its threshold (zero unless said otherwise) in one evaluation period.
  alarms = merge(
    {
      "${var.name_prefix}-failure-queue-depth" = {
        namespace   = "AWS/SQS"
        metric      = "ApproximateNumberOfMessagesVisible"
        dimensions  = local.queue
        statistic   = "Maximum"
        period      = 300
        threshold   = 0
        description = "Events are waiting in the failure queue ${var.failure_queue_name}: objects not yet in curated. ${local.redrive}"
      }
      "${var.name_prefix}-failure-queue-age" = {
        namespace   = "AWS/SQS"
        metric      = "ApproximateAgeOfOldestMessage"
        dimensions  = local.queue
        statistic   = "Maximum"
        period      = 300
        threshold   = var.failure_age_threshold_seconds
        description = "The oldest event in the failure queue ${var.failure_queue_name} is older than ${var.failure_age_threshold_seconds} s (the queue keeps events 14 days). ${local.redrive}"
      }
    },
    merge([
      for ds, name in var.function_names : {
        "${name}-errors" = {
          namespace   = "AWS/Lambda"
          metric      = "Errors"
          dimensions  = { FunctionName = name }
          statistic   = "Sum"
          period      = 300
          threshold   = 0
          description = "ETL function ${name} raised errors: its events go to the failure queue after Lambda's retries. ${local.redrive}"
        }
        "${name}-throttles" = {
          namespace   = "AWS/Lambda"
          metric      = "Throttles"
          dimensions  = { FunctionName = name }
          statistic   = "Sum"
          period      = 300
          threshold   = 0
          description = "ETL function ${name} was throttled: raise its concurrency, then re-run what failed. ${local.redrive}"
        }
      }
    ]...),
    {
      for signal, cfg in local.crawler_signals : "${var.name_prefix}-crawler-${signal}" => {
        namespace   = var.metric_namespace
        metric      = "Crawler-${signal}" # the metric_transformation name of its filter below
        dimensions  = {}
        statistic   = "Sum"
        period      = 3600
        threshold   = 0
        description = cfg.description
      }
    },
  )
}

resource "aws_sns_topic" "alarms" {
  #checkov:skip=CKV_AWS_26:CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key; the messages carry alarm names only
  name = "${var.name_prefix}-alarms"
}

resource "aws_sns_topic_subscription" "this" {
  for_each = { for s in var.alarm_subscriptions : "${s.protocol}:${s.endpoint}" => s }

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

# The crawlers are watched through their log group: one metric per signal, counted per matching log event.
resource "aws_cloudwatch_log_metric_filter" "crawler" {
  for_each = local.crawler_signals

  name           = "${var.name_prefix}-crawler-${each.key}"
  log_group_name = var.crawler_log_group
  pattern        = each.value.pattern

  metric_transformation {
    name          = "Crawler-${each.key}"
    namespace     = var.metric_namespace
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = each.key
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  depends_on = [aws_cloudwatch_log_metric_filter.crawler]
}
