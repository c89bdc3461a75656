# The catalog layer of the lake (the local endpoint); provider, variables and backend are shared by the
# four layers of this environment (common/, linked here). Apply order: foundation, ingestion, catalog, query.

module "catalog" {
  source = "../../../layers/catalog"

  name_prefix        = var.name_prefix
  datasets           = var.datasets
  contracts_dir      = var.contracts_dir
  log_retention_days = 7
}
