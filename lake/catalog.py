"""The Glue catalog as plain data: what a table says its columns, partitions and location are.

Pure functions over the ``glue.get_table(s)`` response shape, so the query engine (and tests) read the catalog
exactly as Athena would, and a catalog that disagrees with the data is caught in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

import contracts
from lake.errors import LakeError


class CatalogError(LakeError):
    """The Glue catalog does not describe a table we can read."""


_ATHENA_TO_CONTRACT = (
    (re.compile(r"\bbigint\b"), "int64"),
    (re.compile(r"\bdouble\b"), "float64"),
    (re.compile(r"\bboolean\b"), "bool"),
    (re.compile(r"\barray<"), "list<"),
)


def contract_type_from_athena(athena_type: str) -> contracts.DataType:
    """Parse a Glue/Athena column type (``array<struct<id:bigint>>``) into a contract type."""
    text = athena_type.strip().lower().replace(" ", "")
    for pattern, replacement in _ATHENA_TO_CONTRACT:
        text = pattern.sub(replacement, text)
    try:
        return contracts.parse_type(text)
    except contracts.ContractError as exc:
        raise CatalogError(f"Glue type {athena_type!r} is not one the lake writes: {exc}") from None


@dataclass(frozen=True)
class Column:
    name: str
    athena_type: str

    @property
    def type(self) -> contracts.DataType:
        return contract_type_from_athena(self.athena_type)


@dataclass(frozen=True)
class TableSpec:
    database: str
    name: str
    location: str
    columns: tuple[Column, ...]
    partition_keys: tuple[Column, ...]

    @property
    def bucket(self) -> str:
        return urlparse(self.location).netloc

    @property
    def prefix(self) -> str:
        return urlparse(self.location).path.lstrip("/").rstrip("/")


def table_spec(database: str, glue_table: dict) -> TableSpec:
    """A :class:`TableSpec` from one ``get_table()['Table']`` / ``get_tables()['TableList']`` item."""
    name = glue_table.get("Name", "?")
    sd = glue_table.get("StorageDescriptor") or {}
    location = sd.get("Location") or ""
    if not location.startswith("s3://"):
        raise CatalogError(f"table {database}.{name}: location {location!r} is not an s3:// URI")
    columns = tuple(Column(c["Name"], c["Type"]) for c in sd.get("Columns", []))
    if not columns:
        raise CatalogError(f"table {database}.{name}: no columns in the catalog")
    keys = tuple(Column(c["Name"], c["Type"]) for c in glue_table.get("PartitionKeys", []))
    return TableSpec(database=database, name=name, location=location, columns=columns, partition_keys=keys)
