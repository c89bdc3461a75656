"""A contract compiled for the handler: the schemas and per-field parsers, computed once per contract."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from contracts import Contract
from handler.schema import arrow_schema, output_schema, read_schema
from handler.temporal import TimestampPattern, timestamp_pattern


@dataclass(frozen=True)
class Plan:
    contract: Contract
    file_schema: pa.Schema  # curated Parquet schema (no dt)
    out_schema: pa.Schema  # file_schema + dt
    read_schema: pa.Schema | None  # None: per-record path only
    timestamps: dict[str, TimestampPattern] = field(default_factory=dict)

    @classmethod
    def of(cls, contract: Contract) -> Plan:
        return cls(
            contract=contract,
            file_schema=arrow_schema(contract),
            out_schema=output_schema(contract),
            read_schema=read_schema(contract),
            timestamps={f.name: timestamp_pattern(f.format) for f in contract.fields if f.type.kind == "timestamp"},
        )
