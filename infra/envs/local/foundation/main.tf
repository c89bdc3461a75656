# The foundation layer of the lake (the local endpoint); provider, variables and backend are shared by the
# four layers of this environment (common/, linked here). Apply order: foundation, ingestion, catalog, query.

module "foundation" {
  source = "../../../layers/foundation"

  name_prefix             = var.name_prefix
  datasets                = var.datasets
  contracts_dir           = var.contracts_dir
  uploader_principal_arns = var.uploader_principal_arns
  force_destroy           = true
}
