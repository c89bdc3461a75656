"""``lake query``: SQL over the lake.

Locally, DuckDB answers over the curated Parquet, with table names, columns and locations taken from the Glue
catalog: a catalog that disagrees with the data fails here, with the column and the file named, as it would in
Athena (``HIVE_BAD_DATA``). It reads what Athena reads: the registered partitions of a crawler-mode table (data
in a ``dt=`` folder no partition registers is not seen, and the query says so in one line with the command that
registers it), the projected ``dt=`` folders of a projection-mode table; a partition outside the table's location
is refused. Against AWS, Athena runs the query in the lake's workgroup and the result reports
the bytes scanned and what they cost.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from lake.catalog import (
    CatalogError,
    Partition,
    TableSpec,
    partitions_of,
    table_spec,
    unregistered_note,
    visible_files,
)
from lake.errors import LakeError

ATHENA_PRICE_PER_TB = 5.0  # USD per TB scanned (us-east-1 list price)
_TB = 1024**4


class QueryError(LakeError):
    """The query could not be run or answered."""


@dataclass
class QueryResult:
    table: pa.Table
    engine: str
    bytes_scanned: int | None = None
    elapsed_s: float = 0.0
    query_id: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def cost_usd(self) -> float | None:
        if self.bytes_scanned is None:
            return None
        # Athena bills at least 10 MB per query.
        return max(self.bytes_scanned, 10 * 1024**2) / _TB * ATHENA_PRICE_PER_TB


# --------------------------------------------------------------------------- local: DuckDB over the catalog


def referenced_tables(sql: str, specs: dict[str, TableSpec]) -> list[str]:
    """The catalog tables a statement names (word match, so ``users_v1`` is not found inside ``users_v10``)."""
    lowered = sql.lower()
    return [name for name in specs if re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered)]


def check_file_schema(spec: TableSpec, expected: pa.Schema, path: str, actual: pa.Schema) -> None:
    """Fail like Athena when a Parquet file's column type differs from the catalog's."""
    for name in expected.names:
        idx = actual.get_field_index(name)
        if idx < 0:
            continue  # a column missing from a file reads as NULL, as in Athena
        want, got = expected.field(name).type, actual.field(idx).type
        if not compatible(want, got):
            raise QueryError(
                f"table {spec.database}.{spec.name}: column {name!r} is {_athena(spec, name)} in the Glue catalog "
                f"but the Parquet file s3://{path} stores {got} (HIVE_BAD_DATA in Athena): fix the table or the data"
            )


def _athena(spec: TableSpec, name: str) -> str:
    return next(c.athena_type for c in spec.columns if c.name == name)


def compatible(want: pa.DataType, got: pa.DataType) -> bool:
    """Whether Athena reads a Parquet column of type ``got`` as the catalog's ``want``."""
    if want.equals(got):
        return True
    if pa.types.is_timestamp(want) and pa.types.is_timestamp(got):
        return True
    if pa.types.is_list(want) and (pa.types.is_list(got) or pa.types.is_large_list(got)):
        return compatible(want.value_type, got.value_type)
    if pa.types.is_struct(want) and pa.types.is_struct(got):
        got_fields = {got.field(i).name: got.field(i).type for i in range(got.num_fields)}
        return all(
            want.field(i).name not in got_fields or compatible(want.field(i).type, got_fields[want.field(i).name])
            for i in range(want.num_fields)
        )
    return (pa.types.is_string(want) and pa.types.is_large_string(got)) or (
        pa.types.is_large_string(want) and pa.types.is_string(got)
    )


def table_schema(spec: TableSpec) -> pa.Schema:
    from handler.schema import arrow_type

    try:
        fields = [pa.field(c.name, arrow_type(c.type)) for c in spec.columns]
    except CatalogError as exc:
        raise QueryError(f"table {spec.database}.{spec.name}: {exc}") from None
    return pa.schema(fields)


def registered_partitions(glue, spec: TableSpec) -> list[Partition]:
    """Every registered partition of the table (GetPartitions, paginated)."""
    items = []
    for page in glue.get_paginator("get_partitions").paginate(DatabaseName=spec.database, TableName=spec.name):
        items.extend(page.get("Partitions", []))
    return partitions_of(items)


def table_paths(spec: TableSpec, glue, filesystem, today: date | None = None) -> tuple[list[str], list[str]]:
    """The ``bucket/key`` paths of the Parquet files Athena would read for the table, and the notes to print."""
    selector = pa.fs.FileSelector(f"{spec.bucket}/{spec.prefix}", recursive=True, allow_not_found=True)
    keys = [i.path.split("/", 1)[1] for i in filesystem.get_file_info(selector) if i.is_file]
    partitions = None if spec.projected or not spec.partition_keys else registered_partitions(glue, spec)
    try:
        visible = visible_files(spec, keys, partitions, today or datetime.now(UTC).date())
    except CatalogError as exc:
        raise QueryError(str(exc)) from None
    notes = [unregistered_note(spec, visible.unregistered)] if visible.unregistered else []
    return [f"{spec.bucket}/{k}" for k in visible.keys], notes


def open_dataset(spec: TableSpec, filesystem, paths: list[str]) -> ds.Dataset:
    """The given Parquet files of the table as one dataset with the catalog's schema (partition keys from the paths)."""
    data_schema = table_schema(spec)
    base = f"{spec.bucket}/{spec.prefix}"
    for path in paths:
        check_file_schema(spec, data_schema, path, pq.read_schema(path, filesystem=filesystem))
    part_schema = pa.schema([pa.field(k.name, pa.string()) for k in spec.partition_keys])
    full = pa.schema(list(data_schema) + list(part_schema))
    return ds.dataset(
        paths,
        schema=full,
        format="parquet",
        filesystem=filesystem,
        partitioning=ds.partitioning(part_schema, flavor="hive") if spec.partition_keys else None,
        partition_base_dir=base,
    )


def catalog_tables(glue, database: str) -> dict[str, TableSpec]:
    specs: dict[str, TableSpec] = {}
    try:
        for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
            for item in page.get("TableList", []):
                spec = table_spec(database, item)
                specs[spec.name] = spec
    except glue.exceptions.EntityNotFoundException:
        raise QueryError(f"Glue database {database!r} does not exist (is the lake applied?)") from None
    return specs


def s3_filesystem(endpoint: str, region: str, access_key: str, secret_key: str):
    scheme = "https" if endpoint.startswith("https") else "http"
    host = endpoint.split("://", 1)[-1]
    return pa.fs.S3FileSystem(
        endpoint_override=host,
        scheme=scheme,
        region=region,
        access_key=access_key,
        secret_key=secret_key,
        allow_bucket_creation=False,
    )


def run_local(sql: str, glue, filesystem, database: str) -> QueryResult:
    """Run ``sql`` in DuckDB with every referenced catalog table registered as a view over its Parquet."""
    import duckdb

    started = time.monotonic()
    specs = catalog_tables(glue, database)
    names = referenced_tables(sql, specs)
    if not names:
        raise QueryError(
            f"the query names no table of Glue database {database!r} (tables: {', '.join(sorted(specs)) or 'none'})"
        )
    notes: list[str] = []
    con = duckdb.connect(database=":memory:")
    try:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{database}"')
        for name in names:
            paths, table_notes = table_paths(specs[name], glue, filesystem)
            notes.extend(table_notes)
            con.register(f"__arrow_{name}", open_dataset(specs[name], filesystem, paths))
            for qualified in (f'"{name}"', f'"{database}"."{name}"'):
                con.execute(f'CREATE VIEW {qualified} AS SELECT * FROM "__arrow_{name}"')
        try:
            relation = con.sql(sql)
            if relation is None:
                raise QueryError("the statement returns no rows (lake query runs SELECT queries)")
            # duckdb >= 1.4 names it to_arrow_table; older releases call it arrow()
            table = (getattr(relation, "to_arrow_table", None) or relation.arrow)()
        except duckdb.Error as exc:
            raise QueryError(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    return QueryResult(table=table, engine="duckdb (local)", elapsed_s=time.monotonic() - started, notes=notes)


# --------------------------------------------------------------------------- AWS: Athena


def run_athena(
    sql: str, athena, workgroup: str, database: str, poll_s: float = 1.0, timeout_s: float = 900
) -> QueryResult:
    started = time.monotonic()
    qid = athena.start_query_execution(
        QueryString=sql, WorkGroup=workgroup, QueryExecutionContext={"Database": database}
    )["QueryExecutionId"]
    while True:
        execution = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        state = execution["Status"]["State"]
        if state in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        if time.monotonic() - started > timeout_s:
            athena.stop_query_execution(QueryExecutionId=qid)
            raise QueryError(f"Athena query {qid} did not finish within {timeout_s:.0f}s; stopped it")
        time.sleep(poll_s)
    if state != "SUCCEEDED":
        reason = execution["Status"].get("StateChangeReason", "no reason given")
        raise QueryError(f"Athena query {qid} {state.lower()}: {reason}")
    header: list[str] | None = None
    rows: list[list[str | None]] = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
        page_rows = page["ResultSet"].get("Rows", [])
        if header is None:
            info = page["ResultSet"].get("ResultSetMetadata", {}).get("ColumnInfo", [])
            header = [c["Name"] for c in info]
            if page_rows and [d.get("VarCharValue") for d in page_rows[0]["Data"]] == header:
                page_rows = page_rows[1:]  # Athena repeats the header as the first row of the first page
        rows.extend([d.get("VarCharValue") for d in r["Data"]] for r in page_rows)
    header = header or []
    table = pa.table({name: [r[i] if i < len(r) else None for r in rows] for i, name in enumerate(header)})
    scanned = execution.get("Statistics", {}).get("DataScannedInBytes")
    return QueryResult(
        table=table,
        engine=f"athena ({workgroup})",
        bytes_scanned=scanned,
        elapsed_s=time.monotonic() - started,
        query_id=qid,
    )


# --------------------------------------------------------------------------- output


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def rows_of(table: pa.Table) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]


def render(result: QueryResult, fmt: str) -> str:
    rows = rows_of(result.table)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, default=str, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=result.table.column_names, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for k, v in row.items()}
            )
        return buf.getvalue().rstrip("\n")
    return render_table(result, rows)


def render_table(result: QueryResult, rows: list[dict]) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for name in result.table.column_names:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(
            *(
                "" if v is None else json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else str(v)
                for v in row.values()
            )
        )
    buf = io.StringIO()
    Console(file=buf, width=160, force_terminal=False, color_system=None).print(table)
    footer = f"{result.table.num_rows} row(s) via {result.engine} in {result.elapsed_s:.2f}s"
    if result.bytes_scanned is not None:
        footer += (
            f"; scanned {result.bytes_scanned:,} bytes (about ${result.cost_usd:.6f} at ${ATHENA_PRICE_PER_TB:.0f}/TB)"
        )
    return "\n".join([buf.getvalue().rstrip("\n"), footer, *result.notes])
