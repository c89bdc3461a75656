"""SCHEMA-AGREES: Glue table columns, the handler's pyarrow schema and the contract are the same, per version."""

import re

from contracts import glue_columns
from policies.checks.base import Check
from policies.checks.crawl_targets import crawled_tables
from policies.context import s3_url_parts
from policies.model import Unknown

_TABLE = re.compile(r"^([a-z][a-z0-9_]*)_v([1-9][0-9]*)$")


def _norm(t: str) -> str:
    return re.sub(r"\s+", "", str(t)).lower()


def arrow_type_string(t) -> str:
    """A canonical spelling of a pyarrow type (list item names and field metadata ignored)."""
    import pyarrow as pa

    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"list<{arrow_type_string(t.value_type)}>"
    if pa.types.is_struct(t):
        return (
            "struct<"
            + ",".join(f"{t.field(i).name}:{arrow_type_string(t.field(i).type)}" for i in range(t.num_fields))
            + ">"
        )
    return str(t)


def expected_arrow(dtype) -> str:
    scalars = {
        "string": "string",
        "int64": "int64",
        "float64": "double",
        "bool": "bool",
        "timestamp": "timestamp[us, tz=UTC]",
        "date": "date32[day]",
    }
    if dtype.kind == "decimal":
        return f"decimal128({dtype.precision}, {dtype.scale})"
    if dtype.kind == "list":
        return f"list<{expected_arrow(dtype.item)}>"
    if dtype.kind == "struct":
        return "struct<" + ",".join(f"{n}:{expected_arrow(m)}" for n, m in dtype.fields) + ">"
    return scalars[dtype.kind]


def handler_schema_problems(contract) -> list[str]:
    try:
        from handler.schema import arrow_schema
    except ImportError as exc:
        return [f"cannot import handler.schema.arrow_schema ({exc}); the handler's schema cannot be compared"]
    schema = arrow_schema(contract)
    got = [(f.name, arrow_type_string(f.type)) for f in schema]
    want = [(f.name, expected_arrow(f.type)) for f in contract.fields]
    if got != want:
        diff = [f"{w} != {g}" for w, g in zip(want, got, strict=False) if w != g][:3]
        return [
            f"handler pyarrow schema differs from contract {contract.dataset} v{contract.version}: {diff or (len(want), len(got))}"
        ]
    return []


def run(ctx):
    curated = ctx.bucket_name("curated")
    checked = set()
    for t in ctx.model.of_type("aws_glue_catalog_table"):
        name = t.get("name")
        m = _TABLE.match(name) if isinstance(name, str) else None
        if not m:
            yield CHECK.finding(ctx, t.address, f"table name {name!r} is not <dataset>_v<version>")
            continue
        key = (m.group(1), int(m.group(2)))
        contract = ctx.contracts.get(key)
        if contract is None:
            yield CHECK.finding(ctx, t.address, f"table {name} has no contract contracts/{key[0]}/v{key[1]}.json")
            continue
        sds = t.block("storage_descriptor")
        sd = sds[0] if sds else {}
        if "__unknown__" in sd:
            yield CHECK.finding(ctx, t.address, f"storage descriptor cannot be decided: {sd['__unknown__'].reason}")
            continue
        columns = sd.get("columns") or []
        if isinstance(columns, Unknown):
            yield CHECK.finding(ctx, t.address, f"columns cannot be decided: {columns.reason}")
            continue
        got = [(c.get("name"), _norm(c.get("type"))) for c in columns]
        want = [(n, _norm(ty)) for n, ty in glue_columns(contract)]
        if got != want:
            diffs = [
                f"{w[0]}: contract {w[1]}, table {g[1]}" if w[0] == g[0] else f"{w[0]} vs {g[0]}"
                for w, g in zip(want, got, strict=False)
                if w != g
            ]
            if len(got) != len(want):
                diffs.append(f"{len(want)} contract columns, {len(got)} table columns")
            yield CHECK.finding(
                ctx, t.address, f"table {name} columns disagree with contract {contract.source}: {'; '.join(diffs[:4])}"
            )
        parts = [(p.get("name"), _norm(p.get("type"))) for p in t.block("partition_keys")]
        if parts != [("dt", "string")]:
            yield CHECK.finding(ctx, t.address, f"table {name} partition keys are {parts}, must be [dt string]")
        if isinstance(sd.get("location"), Unknown):
            yield CHECK.finding(ctx, t.address, f"table location cannot be decided: {sd['location'].reason}")
            continue
        location = s3_url_parts(sd.get("location"))
        if location is None or location[0] != curated or location[1].strip("/") != contract.curated_prefix:
            yield CHECK.finding(
                ctx,
                t.address,
                f"table {name} location {sd.get('location')!r} is not s3://{curated}/{contract.curated_prefix}/",
            )
        if key not in checked:
            checked.add(key)
            for problem in handler_schema_problems(contract):
                yield CHECK.finding(ctx, t.address, problem)
    for c in ctx.model.of_type("aws_glue_crawler"):
        crawled = crawled_tables(ctx, c)
        for target in [] if isinstance(crawled, Unknown) else crawled:
            if isinstance(target.name, str) and not _TABLE.match(target.name):
                yield CHECK.finding(
                    ctx,
                    c.address,
                    f"crawler target table {target.name} does not carry the schema version (<dataset>_v<version>)",
                )


CHECK = Check(
    id="SCHEMA-AGREES",
    severity="critical",
    group="Contracts hold end to end",
    title="Glue table, handler schema and contract agree for every version",
    rationale="If the Parquet schema and the table disagree, Athena fails (HIVE_BAD_DATA) or silently reads nulls.",
    fix="Build the table columns from contracts/<dataset>/v<version>.json (jsondecode(file(...))) and the handler schema with handler.schema.arrow_schema(contract); never hand-edit either.",
    run=run,
)
