# The ingestion layer of the lake (a real account); provider, variables and backend are shared by the
# four layers of this environment (common/, linked here). Apply order: foundation, ingestion, catalog, query.

module "ingestion" {
  source = "../../../layers/ingestion"

  name_prefix        = var.name_prefix
  datasets           = var.datasets
  handler_zip        = var.handler_zip
  layer_zip          = var.layer_zip
  layer_arn          = var.layer_arn
  log_retention_days = var.log_retention_days
}
