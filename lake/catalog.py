"""The Glue catalog as plain data: what a table says its columns, partitions and location are.

Pure functions over the ``glue.get_table(s)`` / ``get_partitions`` response shapes, so the query engine, the
local crawler, the catalog health check (and tests) read the catalog exactly as Athena would, and a catalog
that disagrees with the data is caught in one place:

- a crawler-mode table shows only the files under its registered partitions (Athena reads nothing else), and a
  partition located outside the table's location (e.g. in raw) is refused (ATHENA-NO-RAW);
- a projection-mode table (``projection.enabled``) shows the ``dt=`` folders partition projection enumerates:
  dates in the projected range, in the projected format, at ``storage.location.template``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
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
    parameters: dict = field(default_factory=dict, compare=False)

    @property
    def bucket(self) -> str:
        return urlparse(self.location).netloc

    @property
    def prefix(self) -> str:
        return urlparse(self.location).path.lstrip("/").rstrip("/")

    @property
    def dataset(self) -> str:
        return self.parameters.get("contract_dataset") or self.name.rsplit("_v", 1)[0]

    @property
    def projected(self) -> bool:
        """Athena partition projection is on: partitions are enumerated, never read from the catalog."""
        return str(self.parameters.get("projection.enabled", "")).lower() == "true"


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
    return TableSpec(
        database=database,
        name=name,
        location=location,
        columns=columns,
        partition_keys=keys,
        parameters=dict(glue_table.get("Parameters") or {}),
    )


# --------------------------------------------------------------------------- partitions and dt= folders

_DT_FOLDER = re.compile(r"^dt=([^/]+)/")


@dataclass(frozen=True)
class Partition:
    """One registered partition: its dt value and where the catalog says its files are."""

    dt: str
    location: str


def partitions_of(items: Iterable[dict]) -> list[Partition]:
    """Partitions from ``get_partitions()['Partitions']`` items (single key ``dt``)."""
    out = []
    for item in items:
        values = item.get("Values") or [""]
        out.append(Partition(values[0], (item.get("StorageDescriptor") or {}).get("Location") or ""))
    return out


def _url_prefix(url: str) -> str:
    """``bucket/key/`` of an ``s3://bucket/key`` URL, always ending in one slash."""
    return url.removeprefix("s3://").rstrip("/") + "/"


def within(location: str, base: str) -> bool:
    """Whether ``location`` (an s3:// URL) is ``base`` or below it, trailing slashes ignored (never below "")."""
    return location.startswith("s3://") and _url_prefix(location).startswith(_url_prefix(base))


def inside_location(spec: TableSpec, location: str) -> bool:
    """Whether ``location`` (an s3:// URL) is the table's location or below it."""
    return within(location, spec.location)


def dt_folders(spec: TableSpec, keys: Iterable[str]) -> dict[str, list[str]]:
    """The table's ``dt=<value>/`` folders that hold Parquet files: value -> object keys (bucket-relative)."""
    base = spec.prefix + "/"
    out: dict[str, list[str]] = {}
    for key in keys:
        if not key.startswith(base) or not key.endswith(".parquet"):
            continue
        m = _DT_FOLDER.match(key[len(base) :])
        if m:
            out.setdefault(m.group(1), []).append(key)
    return out


def partition_location(spec: TableSpec, dt: str) -> str:
    """Where the crawler puts partition ``dt`` of the table: ``<table location>/dt=<dt>/``."""
    return f"s3://{spec.bucket}/{spec.prefix}/dt={dt}/"


def partition_input(glue_table: dict, dt: str) -> dict:
    """A ``PartitionInput`` for ``BatchCreatePartition``: the table's storage (columns, formats, SerDe) inherited,
    located at the table's ``dt=`` folder, as a crawler with ``InheritFromTable`` registers it."""
    sd = dict(glue_table.get("StorageDescriptor") or {})
    sd["Location"] = sd.get("Location", "").rstrip("/") + f"/dt={dt}/"
    return {"Values": [dt], "StorageDescriptor": sd}


# --------------------------------------------------------------------------- what Athena reads


def _java_date_format(fmt: str) -> str:
    """A projection ``format`` (Java DateTimeFormatter: yyyy-MM-dd) as a strptime format."""
    out = fmt
    for java, py in (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S")):
        out = out.replace(java, py)
    return out


def _range_end(text: str, today: date) -> date:
    text = text.strip()
    return today if text.upper() == "NOW" else date.fromisoformat(text)


def projected_dates(spec: TableSpec, values: Iterable[str], today: date) -> list[str]:
    """The ``dt`` values among ``values`` that projection enumerates: in the projected format and range."""
    params = spec.parameters
    if params.get("projection.dt.type", "date") != "date":
        raise CatalogError(f"table {spec.database}.{spec.name}: projection type of dt is not 'date' (not emulated)")
    fmt = _java_date_format(params.get("projection.dt.format", "yyyy-MM-dd"))
    try:
        start, end = (_range_end(p, today) for p in params.get("projection.dt.range", "").split(","))
    except ValueError:
        raise CatalogError(
            f"table {spec.database}.{spec.name}: projection.dt.range {params.get('projection.dt.range')!r} is not "
            "'<YYYY-MM-DD|NOW>,<YYYY-MM-DD|NOW>'"
        ) from None
    out = []
    for value in values:
        try:
            day = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if start <= day <= end and day.strftime(fmt) == value:
            out.append(value)
    return sorted(out)


@dataclass(frozen=True)
class Visible:
    """What Athena reads of a table: object keys, and the dt= folders with data it cannot see (not registered)."""

    keys: tuple[str, ...]
    unregistered: tuple[str, ...] = ()


def visible_files(spec: TableSpec, keys: Iterable[str], partitions: list[Partition] | None, today: date) -> Visible:
    """The table's Parquet object keys Athena would read.

    ``partitions``: the registered partitions (ignored for a projection-mode table). A partition located outside
    the table's location is refused (ATHENA-NO-RAW), with its dt value and location named.
    """
    keys = sorted(keys)
    if not spec.partition_keys:
        base = spec.prefix + "/"
        return Visible(tuple(k for k in keys if k.startswith(base) and k.endswith(".parquet")))
    folders = dt_folders(spec, keys)
    if spec.projected:
        days = projected_dates(spec, folders, today)
        template = spec.parameters.get("storage.location.template")
        if template and not inside_location(spec, template.replace("${dt}", "x")):
            raise CatalogError(
                f"table {spec.database}.{spec.name}: storage.location.template {template} is outside the table "
                f"location {spec.location}: refused (ATHENA-NO-RAW)"
            )
        return Visible(tuple(k for day in days for k in folders[day]))
    registered = {}
    for p in partitions or []:
        if not inside_location(spec, p.location):
            raise CatalogError(
                f"table {spec.database}.{spec.name}: partition dt={p.dt} is located at {p.location}, outside the "
                f"table location {spec.location}: refused (ATHENA-NO-RAW); delete the partition and run `lake crawl "
                f"{spec.dataset}`"
            )
        registered[p.dt] = _url_prefix(p.location).split("/", 1)[1]
    out = [
        k for dt, prefix in sorted(registered.items()) for k in keys if k.startswith(prefix) and k.endswith(".parquet")
    ]
    unregistered = tuple(sorted(dt for dt in folders if dt not in registered))
    return Visible(tuple(out), unregistered)


def unregistered_note(spec: TableSpec, dates: tuple[str, ...]) -> str:
    """The one line a query prints when a table has data in dt= folders no partition registers."""
    shown = ", ".join(dates[:5]) + (f" and {len(dates) - 5} more" if len(dates) > 5 else "")
    return (
        f"note: {spec.name} has {len(dates)} dt= folder(s) with data but no registered partition ({shown}): "
        f"Athena returns no rows from them; register them with `lake crawl {spec.dataset}`"
    )
