# Layer 1 of 4, foundation: the buckets, the KMS key and the IAM roles. Everything above reads it by name
# (infra/modules/names), never through its state; it reads nothing from the layers above, so it is planned
# and applied first.

module "names" {
  source = "../../modules/names"

  name_prefix   = var.name_prefix
  datasets      = var.datasets
  contracts_dir = var.contracts_dir
}

module "s3" {
  source = "../../modules/s3"

  bucket_names             = module.names.bucket_names
  kms_alias_name           = module.names.kms_alias_name
  uploader_principal_arns  = var.uploader_principal_arns
  force_destroy            = var.force_destroy
  kms_deletion_window_days = var.force_destroy ? 7 : 30
}

module "iam" {
  source = "../../modules/iam"

  name_prefix            = var.name_prefix
  bucket_names           = module.names.bucket_names
  kms_alias_name         = module.names.kms_alias_name
  functions              = { for ds, f in module.names.functions : ds => { name = f.name, curated_prefix = f.curated_prefix } }
  tables                 = { for key, t in module.names.tables : key => { name = t.name, curated_prefix = t.curated_prefix } }
  glue_database          = module.names.database_name
  athena_workgroup       = module.names.athena_workgroup
  failure_queue_name     = module.names.failure_queue_name
  analyst_principal_arns = var.analyst_principal_arns
  ci_principal_arns      = var.ci_principal_arns
  state_bucket_name      = var.state_bucket_name
  state_keys             = var.state_keys
}
