"""The Arrow schemas a contract implies.

``arrow_schema`` is the curated Parquet schema (what Glue and Athena read, without the ``dt`` partition column).
``read_schema`` is the shape the fast path asks ``pyarrow.json`` for: the raw record's nesting, restricted to
the paths the contract names, with timestamps and dates kept as strings so the contract's format decides how
they parse. Both are pure functions of the contract.
"""

from __future__ import annotations

import pyarrow as pa

from contracts import Contract, DataType, Field

PARTITION_COLUMN = "dt"

_SCALARS = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
}


def arrow_type(t: DataType) -> pa.DataType:
    """The pyarrow type of a contract type (see the table in contracts/README.md)."""
    if t.kind == "decimal":
        return pa.decimal128(t.precision, t.scale)
    if t.kind == "list":
        return pa.list_(arrow_type(t.item))
    if t.kind == "struct":
        return pa.struct([pa.field(name, arrow_type(member)) for name, member in t.fields])
    return _SCALARS[t.kind]


def arrow_field(f: Field) -> pa.Field:
    return pa.field(f.name, arrow_type(f.type), nullable=f.nullable)


def arrow_schema(contract: Contract) -> pa.Schema:
    """The curated file schema: one column per contract field, in contract order, without ``dt``."""
    return pa.schema([arrow_field(f) for f in contract.fields])


def output_schema(contract: Contract) -> pa.Schema:
    """The curated schema plus the ``dt`` column the handler partitions by (dropped before writing)."""
    return arrow_schema(contract).append(pa.field(PARTITION_COLUMN, pa.string(), nullable=False))


def _has_nested_temporal(t: DataType) -> bool:
    if t.kind == "list":
        return t.item.kind in ("timestamp", "date") or _has_nested_temporal(t.item)
    if t.kind == "struct":
        return any(m.kind in ("timestamp", "date") or _has_nested_temporal(m) for _, m in t.fields)
    return False


def _read_type(f: Field) -> pa.DataType:
    """Type requested from the JSON reader for a field: temporal values stay strings until the contract parses them."""
    if f.type.kind in ("timestamp", "date"):
        return pa.string()
    return arrow_type(f.type)


def read_schema(contract: Contract) -> pa.Schema | None:
    """The explicit schema for ``pyarrow.json``, or None when the contract needs the per-record path.

    Paths become nested structs (``user.id`` and ``user.name`` share the struct ``user``). A contract whose
    paths collide (``a`` is a scalar and ``a.b`` a member), or that nests timestamps or dates inside lists or
    structs, is handled by the per-record path only.
    """
    tree: dict = {}
    for f in contract.fields:
        if _has_nested_temporal(f.type):
            return None
        node = tree
        *parents, leaf = f.path_parts
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                return None
            node = child
        if leaf in node:
            return None
        node[leaf] = _read_type(f)

    def build(node: dict) -> list[pa.Field]:
        return [pa.field(k, pa.struct(build(v)) if isinstance(v, dict) else v) for k, v in node.items()]

    return pa.schema(build(tree))
