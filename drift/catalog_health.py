"""Catalog health: what Athena can and cannot see of each managed Glue table, for the nightly drift report.

Not Terraform drift (Terraform manages no partition), but the failures a user meets first:

- **unregistered**: a curated ``dt=`` folder holding Parquet with no partition: Athena returns no rows from it;
- **orphan**: a partition whose folder is empty or gone: Athena scans nothing there, the catalog lies;
- **outside**: a partition located outside its table's location (e.g. in raw): Athena reads data the table does
  not declare (ATHENA-NO-RAW).

Each issue carries the command that fixes it. Cheap on a table with thousands of partitions: per table one
paginated ``GetPartitions`` (up to 1,000 partitions a page) and one paginated ``ListObjectsV2`` of its location
(1,000 keys a page), never a call per partition. A projection-mode table registers no partitions: only
partitions registered on it anyway are reported (Athena ignores them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from drift.model import ManagedResource
from lake.catalog import (
    CatalogError,
    Partition,
    TableSpec,
    dt_folders,
    inside_location,
    partitions_of,
    table_spec,
)

KINDS = ("unregistered", "orphan", "outside")


@dataclass(frozen=True)
class CatalogIssue:
    kind: str  # one of KINDS
    table: str  # database.table
    dt: str
    location: str
    message: str
    remedy: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CatalogHealth:
    tables: int = 0
    partitions: int = 0
    folders: int = 0
    calls: int = 0
    issues: list[CatalogIssue] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # tables that could not be read (access denied ...)

    def counts(self) -> dict[str, int]:
        return {k: sum(1 for i in self.issues if i.kind == k) for k in KINDS}

    def line(self) -> str:
        c = self.counts()
        text = (
            f"catalog: {len(self.issues)} issue(s) ({c['unregistered']} unregistered folder(s), {c['orphan']} "
            f"orphan partition(s), {c['outside']} outside the table) in {self.tables} table(s), "
            f"{self.partitions} partition(s), {self.folders} dt= folder(s), {self.calls} API calls"
        )
        return text + (f"; {len(self.errors)} table(s) not readable" if self.errors else "")

    def to_dict(self) -> dict:
        return {
            "summary": {**self.counts(), "tables": self.tables, "partitions": self.partitions, "api_calls": self.calls},
            "issues": [i.to_dict() for i in self.issues],
            "errors": self.errors,
        }


# --------------------------------------------------------------------------- pure: one table


def _delete_partition(spec: TableSpec, dt: str) -> str:
    return (
        f"aws glue batch-delete-partition --database-name {spec.database} --table-name {spec.name} "
        f"--partitions-to-delete Values={dt}"
    )


def table_issues(
    spec: TableSpec, keys: Iterable[str], partitions: list[Partition], crawler: str | None = None
) -> list[CatalogIssue]:
    """Every catalog health issue of one table, from its object keys and its registered partitions."""
    keys = list(keys)
    folders = dt_folders(spec, keys)
    qualified = f"{spec.database}.{spec.name}"
    crawl = f"lake crawl {spec.dataset}" + (f" (in AWS: aws glue start-crawler --name {crawler})" if crawler else "")
    out = []
    registered = set()
    for p in sorted(partitions, key=lambda p: p.dt):
        registered.add(p.dt)
        if not inside_location(spec, p.location):
            out.append(
                CatalogIssue(
                    "outside",
                    qualified,
                    p.dt,
                    p.location,
                    f"partition dt={p.dt} is located at {p.location}, outside the table location {spec.location}: "
                    "Athena reads data the table does not declare (ATHENA-NO-RAW)",
                    f"{_delete_partition(spec, p.dt)}; then {crawl}",
                )
            )
            continue
        prefix = p.location.removeprefix("s3://").split("/", 1)[-1].rstrip("/") + "/"
        if not any(k.startswith(prefix) for k in keys):
            out.append(
                CatalogIssue(
                    "orphan",
                    qualified,
                    p.dt,
                    p.location,
                    f"partition dt={p.dt} points at {p.location}, which is empty or gone: the catalog lists data "
                    "that is not there",
                    _delete_partition(spec, p.dt),
                )
            )
    if not spec.projected:
        for dt in sorted(set(folders) - registered):
            out.append(
                CatalogIssue(
                    "unregistered",
                    qualified,
                    dt,
                    f"s3://{spec.bucket}/{spec.prefix}/dt={dt}/",
                    f"dt={dt} holds {len(folders[dt])} Parquet file(s) but no partition: Athena returns no rows "
                    "from it",
                    crawl,
                )
            )
    return out


def spec_from_state(resource: ManagedResource) -> TableSpec:
    """The table as Terraform declares it (state attributes in the ``get_table`` shape)."""
    a = resource.attributes
    sd = (a.get("storage_descriptor") or [{}])[0]
    return table_spec(
        str(a.get("database_name")),
        {
            "Name": a.get("name"),
            "Parameters": a.get("parameters") or {},
            "PartitionKeys": [{"Name": k["name"], "Type": k["type"]} for k in a.get("partition_keys") or []],
            "StorageDescriptor": {
                "Location": sd.get("location"),
                "Columns": [{"Name": c["name"], "Type": c["type"]} for c in sd.get("columns") or []],
            },
        },
    )


# --------------------------------------------------------------------------- I/O: read and judge


def _keys(s3, bucket: str, prefix: str) -> list[str]:
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        out.extend(o["Key"] for o in page.get("Contents", []))
    return out


def check(resources: list[ManagedResource], live) -> CatalogHealth:
    """Catalog health of every managed Glue table with a ``dt`` partition key (``live``: a drift LiveAWS)."""
    from botocore.exceptions import ClientError

    health = CatalogHealth()
    before = live.counter.calls
    crawlers = {}
    for c in resources:
        if c.type == "aws_glue_crawler":
            for target in c.attributes.get("catalog_target") or []:
                for table in target.get("tables") or []:
                    crawlers[(target.get("database_name"), table)] = c.attributes.get("name")
    s3 = live.client("s3")
    for r in resources:
        if r.type != "aws_glue_catalog_table":
            continue
        try:
            spec = spec_from_state(r)
        except CatalogError as exc:
            health.errors.append(f"{r.address}: {exc}")
            continue
        if [k.name for k in spec.partition_keys] != ["dt"]:
            continue
        try:
            keys = _keys(s3, spec.bucket, spec.prefix)
            partitions = partitions_of(live.glue_partitions(spec.database, spec.name))
        except ClientError as exc:
            health.errors.append(f"{r.address}: {exc.response.get('Error', {}).get('Code', 'error')} ({exc})")
            continue
        health.tables += 1
        health.partitions += len(partitions)
        health.folders += len(dt_folders(spec, keys))
        health.issues.extend(table_issues(spec, keys, partitions, crawlers.get((spec.database, spec.name))))
    health.calls = live.counter.calls - before
    return health
