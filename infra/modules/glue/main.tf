# The catalog: one database, one table per dataset version declared from its contract (the authoritative
# schema), and one crawler per dataset version whose source is that declared table (a catalog target): it
# adopts the table instead of creating one from the folders it finds, registers new dt partitions and LOGS
# schema changes instead of applying them. A table in "projection" mode gets Athena partition projection on dt
# (new data is queryable as soon as it is written, no partition is ever registered); its crawler then only
# reports schema changes.

locals {
  contracts = { for key, t in var.tables : key => jsondecode(file(t.contract_file)) }

  # Contract type -> Athena (Hive DDL) type; contracts.athena_type in Python is the reference. A scalar type
  # word is replaced only as a whole word followed by '>', ',' or the end (a struct member name is followed by
  # ':'), and "list" only when it opens '<', so a struct member called "bool", "int64" or "list" keeps its name.
  # The leading \b is zero-width, so nested types (list<list<bool>>) are rewritten at every level.
  columns = {
    for key, contract in local.contracts : key => [
      for f in contract.fields : {
        name    = f.name
        comment = try(f.description, null)
        type = replace(replace(replace(replace(
          replace(f.type, " ", ""),
          "/\\bint64([>,]|$)/", "bigint$${1}"),
          "/\\bfloat64([>,]|$)/", "double$${1}"),
          "/\\bbool([>,]|$)/", "boolean$${1}"),
        "/\\blist</", "array<")
      }
    ]
  }

  # Athena partition projection on dt: every day from projection_start to today, at the table's own prefix.
  projection = {
    for key, t in var.tables : key => t.partitioning != "projection" ? {} : {
      "projection.enabled"          = "true"
      "projection.dt.type"          = "date"
      "projection.dt.format"        = "yyyy-MM-dd"
      "projection.dt.range"         = "${t.projection_start},NOW"
      "projection.dt.interval"      = "1"
      "projection.dt.interval.unit" = "DAYS"
      "storage.location.template"   = "s3://${var.curated_bucket}/${t.curated_prefix}/dt=$${dt}/"
    }
  }
}

resource "aws_glue_catalog_database" "this" {
  name        = var.database_name
  description = "Curated lake datasets; tables are declared by Terraform from contracts/"
}

resource "aws_glue_catalog_table" "this" {
  for_each = var.tables

  database_name = aws_glue_catalog_database.this.name
  name          = each.value.name
  description   = try(local.contracts[each.key].description, "")
  table_type    = "EXTERNAL_TABLE"

  parameters = merge({
    EXTERNAL              = "TRUE"
    classification        = "parquet"
    "parquet.compression" = "SNAPPY"
    contract_dataset      = each.value.dataset
    contract_version      = tostring(each.value.version)
    partitioning          = each.value.partitioning
  }, local.projection[each.key])

  partition_keys {
    name    = "dt"
    type    = "string"
    comment = "UTC date of the contract's partition field (YYYY-MM-DD)"
  }

  storage_descriptor {
    location      = "s3://${var.curated_bucket}/${each.value.curated_prefix}/"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      name                  = "parquet"
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters = {
        "serialization.format" = "1"
      }
    }

    dynamic "columns" {
      for_each = local.columns[each.key]

      content {
        name    = columns.value.name
        type    = columns.value.type
        comment = columns.value.comment
      }
    }
  }

  lifecycle {
    precondition {
      condition     = local.contracts[each.key].dataset == each.value.dataset && local.contracts[each.key].version == each.value.version
      error_message = "Contract ${each.value.contract_file} must declare dataset \"${each.value.dataset}\" and version ${each.value.version}."
    }
  }
}

resource "aws_cloudwatch_log_group" "crawlers" {
  #checkov:skip=CKV_AWS_158:follow-up: KMS on log groups needs a key policy grant for logs.<region>.amazonaws.com
  #checkov:skip=CKV_AWS_338:retention is the log_retention_days variable; the local environment keeps 7 days on purpose
  count = var.manage_crawler_log_group ? 1 : 0

  name              = var.crawler_log_group
  retention_in_days = var.log_retention_days
}

resource "aws_glue_crawler" "this" {
  #checkov:skip=CKV_AWS_195:follow-up: no Glue security configuration (crawler log encryption) declared yet
  for_each = var.tables

  name          = each.value.crawler_name
  description   = "Registers new dt partitions of the declared table ${aws_glue_catalog_table.this[each.key].name}; schema changes are logged, never applied"
  database_name = aws_glue_catalog_database.this.name
  role          = var.crawler_role_arn
  schedule      = var.crawler_schedule

  # The declared table is the source: the crawler reads its location and adopts it (an S3 target would
  # create its own tables named after the folders instead).
  catalog_target {
    database_name = aws_glue_catalog_database.this.name
    tables        = [aws_glue_catalog_table.this[each.key].name]
  }

  # A catalog target requires delete_behavior LOG.
  schema_change_policy {
    update_behavior = "LOG"
    delete_behavior = "LOG"
  }

  recrawl_policy {
    recrawl_behavior = "CRAWL_EVERYTHING"
  }

  configuration = jsonencode({
    Version = 1
    CrawlerOutput = {
      Partitions = { AddOrUpdateBehavior = "InheritFromTable" }
    }
  })

  depends_on = [aws_cloudwatch_log_group.crawlers]
}
