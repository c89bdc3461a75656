# The query layer of the lake (a real account); provider, variables and backend are shared by the
# four layers of this environment (common/, linked here). Apply order: foundation, ingestion, catalog, query.

module "query" {
  source = "../../../layers/query"

  name_prefix                    = var.name_prefix
  datasets                       = var.datasets
  bytes_scanned_cutoff_ceiling   = var.bytes_scanned_cutoff_ceiling
  bytes_scanned_cutoff_per_query = var.bytes_scanned_cutoff_per_query
  force_destroy                  = false
}
