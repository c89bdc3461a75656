# The lake's names: every bucket, role, function, table, crawler, queue and workgroup name, computed from
# name_prefix and datasets alone. It creates nothing. Each layer (infra/layers/*) calls it, so the four
# Terraform states agree on every name without reading each other's state, and every name is known at plan
# time (the policy gate reads them from the HCL and the plans).

locals {
  contracts_dir = coalesce(var.contracts_dir, "${path.module}/../../../contracts")
  database_name = replace(var.name_prefix, "-", "_")

  bucket_names = {
    raw            = "${var.name_prefix}-raw"
    curated        = "${var.name_prefix}-curated"
    quarantine     = "${var.name_prefix}-quarantine"
    athena_results = "${var.name_prefix}-athena-results"
    artifacts      = "${var.name_prefix}-artifacts"
  }

  role_names = {
    etl                = "${var.name_prefix}-etl"
    crawler            = "${var.name_prefix}-crawler"
    analyst            = "${var.name_prefix}-analyst"
    "drift-reader"     = "${var.name_prefix}-drift-reader"
    "batch-operations" = "${var.name_prefix}-batch-operations"
  }

  # The Lambda of a dataset writes its highest listed contract version.
  functions = {
    for ds, cfg in var.datasets : ds => {
      name           = "${var.name_prefix}-etl-${ds}"
      schema_version = max(cfg.versions...)
      curated_prefix = "dataset/${ds}/schema=${max(cfg.versions...)}"
    }
  }

  # Every listed version has a table and a crawler (older versions stay queryable).
  tables = merge([
    for ds, cfg in var.datasets : {
      for v in cfg.versions : "${ds}_v${v}" => {
        name             = "${ds}_v${v}"
        crawler_name     = "${var.name_prefix}-${ds}-v${v}"
        dataset          = ds
        version          = v
        curated_prefix   = "dataset/${ds}/schema=${v}"
        contract_file    = "${local.contracts_dir}/${ds}/v${v}.json"
        partitioning     = try(cfg.partitioning, "crawler") # try(): the policy gate's HCL reader applies no optional() defaults
        projection_start = try(cfg.projection_start, "2006-01-01")
      }
    }
  ]...)
}
