# The foundation layer of the lake (a real account); provider, variables and backend are shared by the
# four layers of this environment (common/, linked here). Apply order: foundation, ingestion, catalog, query.

locals {
  layers = ["foundation", "ingestion", "catalog", "query"]
}

module "foundation" {
  source = "../../../layers/foundation"

  name_prefix             = var.name_prefix
  datasets                = var.datasets
  uploader_principal_arns = var.uploader_principal_arns
  analyst_principal_arns  = var.analyst_principal_arns
  ci_principal_arns       = var.ci_principal_arns
  state_bucket_name       = var.state_bucket_name
  state_keys              = [for layer in local.layers : "${var.state_key_prefix}/${layer}.tfstate"]
  force_destroy           = false
}
