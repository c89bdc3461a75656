# Layer 4 of 4, query: the Athena workgroup (enforced configuration, results in the lake's results bucket,
# encrypted with the lake key). The key is the one value it looks up rather than names: Athena takes a key
# ARN or id, never an alias, so the alias (foundation) is read at plan time and the plan shows the key ARN.

module "names" {
  source = "../../modules/names"

  name_prefix   = var.name_prefix
  datasets      = var.datasets
  contracts_dir = var.contracts_dir
}

data "aws_kms_alias" "data" {
  name = module.names.kms_alias_name
}

module "athena" {
  source = "../../modules/athena"

  workgroup_name                 = module.names.athena_workgroup
  results_bucket                 = module.names.bucket_names["athena_results"]
  kms_key_arn                    = data.aws_kms_alias.data.target_key_arn
  bytes_scanned_cutoff_per_query = var.bytes_scanned_cutoff_per_query
  force_destroy                  = var.force_destroy
}
