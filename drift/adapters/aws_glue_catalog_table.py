from __future__ import annotations

from drift.adapters import register
from drift.adapters.base import Adapter


def _columns(columns: list) -> list:
    return [{"name": c.get("Name"), "type": c.get("Type"), "comment": c.get("Comment", "")} for c in columns or []]


def table_attributes(table: dict) -> dict:
    """A Glue ``Table`` as ``aws_glue_catalog_table`` attributes (the compared subset)."""
    sd = table.get("StorageDescriptor", {})
    serde = sd.get("SerdeInfo", {})
    return {
        "name": table.get("Name"),
        "database_name": table.get("DatabaseName"),
        "table_type": table.get("TableType", ""),
        "parameters": table.get("Parameters", {}),
        "partition_keys": _columns(table.get("PartitionKeys")),
        "storage_descriptor": [
            {
                "location": sd.get("Location", ""),
                "input_format": sd.get("InputFormat", ""),
                "output_format": sd.get("OutputFormat", ""),
                "columns": _columns(sd.get("Columns")),
                "ser_de_info": [
                    {
                        "serialization_library": serde.get("SerializationLibrary", ""),
                        "parameters": serde.get("Parameters", {}),
                    }
                ]
                if serde
                else [],
            }
        ],
    }


@register
class GlueCatalogTable(Adapter):
    type = "aws_glue_catalog_table"
    service = "glue"
    api = "glue:GetTables (once per database)"
    compares = "table_type, parameters, partition_keys, storage_descriptor (location, formats, columns, serde)"

    def read(self, aws, resource):
        database = resource.attributes.get("database_name")
        tables = aws.glue_tables(database)
        table = (tables or {}).get(resource.attributes.get("name"))
        return None if table is None else table_attributes(table)

    def canonical(self, attributes):
        # the column comment is not set by the lake; the provider stores "" for it
        return attributes
