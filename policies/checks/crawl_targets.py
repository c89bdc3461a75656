"""Shared by the crawler checks: what each crawler crawls (its catalog targets) and where the declared tables are.

A crawler keeps a Terraform-declared table current only through a catalog target (the table is its source); an
S3 target makes the crawler create tables of its own from the folders it finds. Not a check: no ``CHECK`` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policies.model import Resource, Unknown

NON_CATALOG_TARGETS = (
    "s3_target",
    "jdbc_target",
    "dynamodb_target",
    "mongodb_target",
    "delta_target",
    "iceberg_target",
    "hudi_target",
)


@dataclass(frozen=True)
class CrawledTable:
    """One table a crawler's catalog target names, and the declared table it resolves to (None: not declared)."""

    database: Any
    name: Any
    table: Resource | None


def declared_tables(ctx) -> dict[tuple[str, str], Resource]:
    out = {}
    for t in ctx.model.of_type("aws_glue_catalog_table"):
        db, name = t.get("database_name"), t.get("name")
        if isinstance(db, str) and isinstance(name, str):
            out[(db, name)] = t
    return out


def crawled_tables(ctx, crawler: Resource) -> list[CrawledTable] | Unknown:
    """Every table the crawler's catalog targets name (Unknown when a target cannot be decided before apply)."""
    tables = declared_tables(ctx)
    out = []
    for target in crawler.block("catalog_target"):
        if "__unknown__" in target:
            return target["__unknown__"]
        db, names = target.get("database_name"), target.get("tables")
        for value in (db, names):
            if isinstance(value, Unknown):
                return value
        for name in names or []:
            if isinstance(name, Unknown):
                return name
            out.append(CrawledTable(db, name, tables.get((db, name))))
    return out


def table_location(table: Resource) -> Any:
    """The table's storage_descriptor.location (an Unknown when not known before apply)."""
    sds = table.block("storage_descriptor")
    sd = sds[0] if sds else {}
    if "__unknown__" in sd:
        return sd["__unknown__"]
    return sd.get("location")


def table_parameters(table: Resource) -> dict | Unknown:
    params = table.get("parameters")
    return params if isinstance(params, Unknown) else dict(params or {})
