"""GLUE-NO-RAW-READ: no crawler can read raw: not through the crawler role's policies, not through the role a
crawler runs as, not through what it crawls.

In a split lake this crosses layers: the roles and the raw bucket are foundation's, the crawlers and their targets
catalog's. A crawler names its role by ARN, so the role it runs as is looked up by name in the whole lake.
"""

from policies.checks.base import Check
from policies.checks.crawl_targets import crawled_tables, table_location
from policies.context import s3_url_parts
from policies.model import Unknown


def _reads_raw(ctx, role, raw):
    return [g for g in ctx.matrix.for_role(role.name, raw) if g.category in ("read", "list")]


def _crawler(ctx, c, raw, crawler_role):
    """What one crawler reads of raw: through the role it runs as (when not the crawler role, judged below) and
    through its S3 targets or the tables its catalog targets name."""
    role = ctx.role_of(c.get("role"))
    if isinstance(role, Unknown):
        yield CHECK.finding(ctx, c.address, f"the role this crawler runs as cannot be decided: {role.reason}")
    elif role is not None and (crawler_role is None or role.name != crawler_role.name):
        for g in _reads_raw(ctx, role, raw):
            yield CHECK.finding(
                ctx,
                c.address,
                f"crawler runs as role {role.name} ({ctx.layer_of(role.role.address) or 'role'}), which can "
                f"{g.action} on raw ({g.key_pattern or 'bucket'}) through {g.source}",
            )
    for target in c.block("s3_target"):
        path = target.get("path") if isinstance(target, dict) else None
        parts = s3_url_parts(path)
        if parts and parts[0] == raw:
            yield CHECK.finding(ctx, c.address, f"crawler has an S3 target {path} in the raw bucket {raw}")
    crawled = crawled_tables(ctx, c)
    for t in crawled if isinstance(crawled, list) else []:
        location = table_location(t.table) if t.table is not None else None
        parts = s3_url_parts(location)
        if parts and parts[0] == raw:
            yield CHECK.finding(
                ctx, c.address, f"crawler crawls table {t.name} ({t.table.address}), located in raw: {location}"
            )


def run(ctx):
    crawler = ctx.roles.get("crawler")
    raw = ctx.bucket_name("raw")
    if raw is None:
        return
    if crawler is not None:
        for g in _reads_raw(ctx, crawler, raw):
            yield CHECK.finding(
                ctx, g.source, f"crawler role can {g.action} on raw ({g.key_pattern or 'bucket'}) through {g.source}"
            )
        for source, reason in ctx.matrix.undecidable.get(crawler.name, []):
            yield CHECK.finding(ctx, source, f"crawler role permissions cannot be decided: {reason}")
    for c in ctx.model.of_type("aws_glue_crawler"):
        yield from _crawler(ctx, c, raw, crawler)


CHECK = Check(
    id="GLUE-NO-RAW-READ",
    severity="critical",
    group="Each service stays in its lane",
    title="No crawler can read raw: not by the crawler role, the role it runs as, or what it crawls",
    rationale="A crawler that sees raw JSON infers tables over it (the seed's duplicated, mis-typed tables). "
    "The roles and raw are foundation's and the crawlers catalog's, so this is judged on the whole lake.",
    fix="Do not attach AWSGlueServiceRole or S3 read policies to the crawler role; grant GetObject on the curated prefixes only; "
    "run every crawler as the crawler role and crawl only declared tables in curated.",
    run=run,
)
