# Layer 3 of 4, catalog: the Glue database, one table and one crawler per dataset version, the crawler log
# group, and the alarms that reach a person. The crawler role and the curated bucket (foundation) are named,
# not read from foundation's state. The alarms live here, the highest layer they watch: ingestion's queue and
# functions and this layer's crawler log group exist before their alarms and metric filters.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

module "names" {
  source = "../../modules/names"

  name_prefix   = var.name_prefix
  datasets      = var.datasets
  contracts_dir = var.contracts_dir
}

module "glue" {
  source = "../../modules/glue"

  database_name            = module.names.database_name
  tables                   = module.names.tables
  curated_bucket           = module.names.bucket_names["curated"]
  crawler_role_arn         = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${module.names.role_names["crawler"]}"
  crawler_schedule         = var.crawler_schedule
  crawler_log_group        = module.names.crawler_log_group
  manage_crawler_log_group = var.manage_crawler_log_group
  log_retention_days       = var.log_retention_days
}

module "alarms" {
  source = "../../modules/alarms"

  name_prefix                   = var.name_prefix
  alarm_subscriptions           = var.alarm_subscriptions
  failure_queue_name            = module.names.failure_queue_name
  failure_age_threshold_seconds = var.failure_age_threshold_seconds
  function_names                = { for ds, f in module.names.functions : ds => f.name }
  crawler_log_group             = module.names.crawler_log_group

  # the crawler log group exists before its metric filters
  depends_on = [module.glue]
}
