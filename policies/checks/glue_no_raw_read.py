"""GLUE-NO-RAW-READ: the crawler role cannot read raw by any policy."""

from policies.checks.base import Check


def run(ctx):
    crawler = ctx.roles.get("crawler")
    raw = ctx.bucket_name("raw")
    if crawler is None or raw is None:
        return
    for g in ctx.matrix.for_role(crawler.name, raw):
        if g.category in ("read", "list"):
            yield CHECK.finding(
                ctx, g.source, f"crawler role can {g.action} on raw ({g.key_pattern or 'bucket'}) through {g.source}"
            )
    for source, reason in ctx.matrix.undecidable.get(crawler.name, []):
        yield CHECK.finding(ctx, source, f"crawler role permissions cannot be decided: {reason}")


CHECK = Check(
    id="GLUE-NO-RAW-READ",
    severity="critical",
    group="Each service stays in its lane",
    title="The crawler role cannot read raw",
    rationale="A crawler that sees raw JSON infers tables over it (the seed's duplicated, mis-typed tables).",
    fix="Do not attach AWSGlueServiceRole or S3 read policies to the crawler role; grant GetObject on the curated prefixes only.",
    run=run,
)
