"""ATHENA-NO-RAW: no table, partition or projection template in raw or quarantine; the analyst cannot read raw; results
go to the results bucket only."""

from policies.checks.base import Check
from policies.checks.crawl_targets import table_parameters
from policies.context import s3_url_parts
from policies.model import Unknown


def _what(resource) -> str:
    return "partition" if resource.type == "aws_glue_partition" else "table"


def run(ctx):
    forbidden = {ctx.bucket_name("raw"): "raw", ctx.bucket_name("quarantine"): "quarantine"}
    forbidden.pop(None, None)
    for t in [*ctx.model.of_type("aws_glue_catalog_table"), *ctx.model.of_type("aws_glue_partition")]:
        for sd in t.block("storage_descriptor"):
            location = sd.get("location") if "__unknown__" not in sd else sd["__unknown__"]
            if isinstance(location, Unknown):
                yield CHECK.finding(ctx, t.address, f"{_what(t)} location cannot be decided: {location.reason}")
                continue
            parts = s3_url_parts(location)
            if parts and parts[0] in forbidden:
                yield CHECK.finding(
                    ctx, t.address, f"{_what(t)} location {location} is in the {forbidden[parts[0]]} bucket"
                )
            yield from _projection_template(ctx, t, location)
    analyst = ctx.roles.get("analyst")
    raw = ctx.bucket_name("raw")
    if analyst is not None and raw is not None:
        for g in ctx.matrix.for_role(analyst.name, raw):
            if g.category in ("read", "list"):
                yield CHECK.finding(ctx, g.source, f"analyst role can {g.action} on raw ({g.key_pattern or 'bucket'})")
        for source, reason in ctx.matrix.undecidable.get(analyst.name, []):
            yield CHECK.finding(ctx, source, f"analyst role permissions cannot be decided: {reason}")
    results = ctx.bucket_name("athena-results")
    for wg in ctx.model.of_type("aws_athena_workgroup"):
        confs = wg.block("configuration")
        rcs = confs[0].get("result_configuration") if confs else None
        location = (rcs or [{}])[0].get("output_location") if isinstance(rcs, list) else rcs
        if isinstance(location, Unknown):
            yield CHECK.finding(ctx, wg.address, f"workgroup result location cannot be decided: {location.reason}")
            continue
        parts = s3_url_parts(location)
        if parts is None or parts[0] != results:
            yield CHECK.finding(
                ctx, wg.address, f"workgroup result location {location!r} is not in the results bucket {results}"
            )


def _projection_template(ctx, table, location):
    """Partition projection reads where storage.location.template points: it must stay inside the table's location."""
    params = table_parameters(table)
    if isinstance(params, Unknown):
        yield CHECK.finding(ctx, table.address, f"table parameters cannot be decided: {params.reason}")
        return
    template = params.get("storage.location.template")
    if template is None:
        return
    if isinstance(template, Unknown):
        yield CHECK.finding(ctx, table.address, f"storage.location.template cannot be decided: {template.reason}")
        return
    curated = ctx.bucket_name("curated")
    parts = s3_url_parts(template)
    if parts is None or parts[0] != curated:
        where = f"the {ctx.bucket_kind(parts[0]) or 'unknown'} bucket {parts[0]}" if parts else "no s3:// URL"
        yield CHECK.finding(
            ctx,
            table.address,
            f"partition projection template {template} points at {where}, outside curated: Athena would read it",
        )
    elif isinstance(location, str) and not template.startswith(location.rstrip("/") + "/"):
        yield CHECK.finding(
            ctx, table.address, f"partition projection template {template} is outside the table location {location}"
        )


CHECK = Check(
    id="ATHENA-NO-RAW",
    severity="high",
    group="Each service stays in its lane",
    title="Athena sees curated data only; results land in the results bucket",
    rationale="Tables over raw or quarantine expose unvalidated data; results elsewhere leak query output into data buckets.",
    fix="Point every Glue table (and its storage.location.template) at s3://<curated>/dataset/<name>/schema=<ver>/, drop raw grants from the analyst role, and set the workgroup output_location to s3://<results>/...",
    run=run,
)
