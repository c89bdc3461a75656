# The catalog layer of the lake (a real account); provider, variables and backend are shared by the
# four layers of this environment (common/, linked here). Apply order: foundation, ingestion, catalog, query.

module "catalog" {
  source = "../../../layers/catalog"

  name_prefix         = var.name_prefix
  datasets            = var.datasets
  log_retention_days  = var.log_retention_days
  alarm_subscriptions = var.alarm_subscriptions
}
