variable "name_prefix" {
  description = "Prefix of every resource name (buckets <prefix>-raw ..., roles <prefix>-etl ..., database <prefix with _>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "datasets" {
  description = <<-EOT
    Datasets and their contract versions: { users = { versions = [1] } }. Each version needs
    contracts/<dataset>/v<version>.json; the Lambda writes the highest version, every version gets a table and a
    crawler. partitioning says how new dt partitions reach the catalog: "crawler" (default) registers them on the
    crawler's schedule (data is invisible to Athena until then; few, irregular days); "projection" uses Athena
    partition projection on dt from projection_start (YYYY-MM-DD) to today: data is queryable as soon as the ETL
    writes it, with no crawler run and no partition API calls (daily data, many days); its crawler then only
    reports schema changes.
  EOT
  type = map(object({
    versions         = list(number)
    partitioning     = optional(string, "crawler")
    projection_start = optional(string, "2006-01-01")
  }))

  validation {
    condition     = alltrue([for cfg in values(var.datasets) : contains(["crawler", "projection"], cfg.partitioning)])
    error_message = "Each dataset's partitioning must be \"crawler\" (registered by the scheduled crawler) or \"projection\" (Athena partition projection on dt)."
  }

  validation {
    condition     = alltrue([for cfg in values(var.datasets) : can(formatdate("YYYY-MM-DD", "${cfg.projection_start}T00:00:00Z"))])
    error_message = "Each dataset's projection_start must be a date YYYY-MM-DD (the first day partition projection enumerates)."
  }

  validation {
    condition     = length(var.datasets) > 0
    error_message = "datasets must declare at least one dataset."
  }

  validation {
    condition     = alltrue([for ds in keys(var.datasets) : can(regex("^[a-z][a-z0-9_]{0,39}$", ds))])
    error_message = "Each dataset name must be lower_snake, start with a letter and be at most 40 characters (as in contracts/)."
  }

  validation {
    condition = alltrue([for cfg in values(var.datasets) : length(cfg.versions) > 0 && alltrue([
      for v in cfg.versions : v >= 1 && floor(v) == v
    ]) && length(distinct(cfg.versions)) == length(cfg.versions)])
    error_message = "Each dataset needs a non-empty list of distinct positive integer versions."
  }
}

variable "contracts_dir" {
  description = "Directory holding contracts/<dataset>/v<version>.json. null: the contracts/ folder next to infra/ (this module is infra/modules/names)."
  type        = string
  default     = null
}
