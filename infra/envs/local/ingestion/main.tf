# The ingestion layer of the lake (the local endpoint); provider, variables and backend are shared by the
# four layers of this environment (common/, linked here). Apply order: foundation, ingestion, catalog, query.

module "ingestion" {
  source = "../../../layers/ingestion"

  name_prefix        = var.name_prefix
  datasets           = var.datasets
  contracts_dir      = var.contracts_dir
  handler_zip        = var.handler_zip
  layer_zip          = var.layer_zip
  log_retention_days = 7
}
