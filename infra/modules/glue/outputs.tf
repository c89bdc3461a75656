output "database_name" {
  description = "Name of the Glue database."
  value       = aws_glue_catalog_database.this.name
}

output "tables" {
  description = "Per dataset version (<dataset>_v<version>): table name, dataset, version and S3 location."
  value = {
    for key, table in aws_glue_catalog_table.this : key => {
      name     = table.name
      dataset  = var.tables[key].dataset
      version  = var.tables[key].version
      location = table.storage_descriptor[0].location
    }
  }
}

output "crawlers" {
  description = "Crawler name per dataset version (<dataset>_v<version>)."
  value       = { for key, crawler in aws_glue_crawler.this : key => crawler.name }
}

output "columns" {
  description = "Declared columns (name, Athena type) per dataset version, in contract order; dt is the partition key."
  value       = { for key, cols in local.columns : key => [for c in cols : { name = c.name, type = c.type }] }
}
