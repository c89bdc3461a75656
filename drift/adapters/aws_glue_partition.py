from __future__ import annotations

from botocore.exceptions import ClientError

from drift.adapters import register
from drift.adapters.base import Adapter, Scope
from drift.aws import is_missing
from drift.model import Unmanaged
from lake.catalog import within as inside  # a location is its table's or below it


def table_location(table: dict) -> str:
    sd = (table.get("storage_descriptor") or [{}])[0]
    return str(sd.get("location") or "")


def strays(partitions: list[dict], prefix: str) -> list[dict]:
    """The partitions whose location is outside their table's location (the ones a crawler never registers)."""
    return [p for p in partitions if not inside(p.get("StorageDescriptor", {}).get("Location", ""), prefix)]


def partition_attributes(database: str, table: str, partition: dict) -> dict:
    return {
        "database_name": database,
        "table_name": table,
        "partition_values": list(partition.get("Values", [])),
        "storage_descriptor": [{"location": partition.get("StorageDescriptor", {}).get("Location", "")}],
    }


@register
class GluePartition(Adapter):
    type = "aws_glue_partition"
    service = "glue"
    api = "glue:GetPartition; glue:GetPartitions (per managed table, pages of 1000, no column schema)"
    compares = (
        "storage location; unmanaged: a partition of a managed table whose location is outside the table's "
        "location (partitions inside it are the crawler's and are not reported)"
    )

    def read(self, aws, resource):
        attrs = resource.attributes
        try:
            live = aws.client("glue").get_partition(
                DatabaseName=attrs.get("database_name"),
                TableName=attrs.get("table_name"),
                PartitionValues=list(attrs.get("partition_values") or []),
            )
        except ClientError as exc:
            if is_missing(exc):
                return None
            raise
        return {
            "storage_descriptor": [{"location": live["Partition"].get("StorageDescriptor", {}).get("Location", "")}]
        }

    def unmanaged(self, aws, scope: Scope):
        managed = {
            (
                r.attributes.get("database_name"),
                r.attributes.get("table_name"),
                tuple(r.attributes.get("partition_values") or []),
            )
            for r in scope.of_type(self.type)
        }
        for table in scope.of_type("aws_glue_catalog_table"):
            database, name = table.attributes.get("database_name"), table.attributes.get("name")
            if (aws.glue_tables(database) or {}).get(name) is None:
                continue  # the table is gone: its own finding says so
            prefix = table_location(table.attributes)
            for partition in strays(aws.glue_partitions(database, name), prefix):
                values = tuple(partition.get("Values", []))
                if (database, name, values) in managed:
                    continue
                attributes = partition_attributes(database, name, partition)
                location = attributes["storage_descriptor"][0]["location"]
                ident = f"{database}:{name}:{'#'.join(values)}"
                yield Unmanaged(
                    type=self.type,
                    id=ident,
                    attributes={"id": ident, **attributes},
                    description=f"partition {list(values)} of managed table {database}.{name} points at "
                    f"{location}, outside the table's location {prefix}",
                    delete_command=f"aws glue delete-partition --database-name {database} --table-name {name} "
                    f"--partition-values {' '.join(values)}",
                    parent=table.address,
                )
