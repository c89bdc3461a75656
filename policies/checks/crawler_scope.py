"""CRAWLER-SCOPE: each crawler crawls exactly one declared table through a catalog target, at its contract's prefix."""

import re

from policies.checks.base import Check
from policies.checks.crawl_targets import NON_CATALOG_TARGETS, crawled_tables, table_location
from policies.context import s3_url_parts
from policies.model import Unknown

_PREFIX = re.compile(r"^dataset/([a-z][a-z0-9_]*)/schema=([1-9][0-9]*)/$")


def _other_targets(ctx, c):
    lake_buckets = {b.get("bucket"): kind for kind, b in ctx.buckets.items() if isinstance(b.get("bucket"), str)}
    for kind in NON_CATALOG_TARGETS:
        for target in c.block(kind):
            path = target.get("path") if isinstance(target, dict) else None
            parts = s3_url_parts(path) if kind == "s3_target" else None
            if parts and parts[0] in lake_buckets:
                yield CHECK.finding(
                    ctx,
                    c.address,
                    f"crawler has an S3 target {path} in the lake's {lake_buckets[parts[0]]} bucket: an S3-target "
                    "crawler creates its own tables named after the folders it finds (e.g. schema_1) instead of "
                    "adopting the declared table; crawl the declared table through a catalog_target",
                )
            else:
                yield CHECK.finding(
                    ctx,
                    c.address,
                    f"crawler has a {kind}{f' {path}' if path else ''}: a lake crawler crawls only its declared "
                    "table, through one catalog_target",
                )


def run(ctx):
    curated = ctx.bucket_name("curated")
    lambda_prefix = {}
    for fn in ctx.functions:
        env = ctx.env(fn)
        if isinstance(env, dict) and isinstance(env.get("DATASET"), str):
            lambda_prefix[env["DATASET"]] = (env.get("CURATED_PREFIX"), fn.address)
    highest: dict[str, list] = {}
    targeted: set[str] = set()
    for c in ctx.model.of_type("aws_glue_crawler"):
        yield from _other_targets(ctx, c)
        crawled = crawled_tables(ctx, c)
        if isinstance(crawled, Unknown):
            yield CHECK.finding(ctx, c.address, f"crawler catalog target cannot be decided: {crawled.reason}")
            continue
        if len(crawled) != 1:
            yield CHECK.finding(
                ctx,
                c.address,
                f"crawler's catalog targets name {len(crawled)} tables, must name exactly one declared table",
            )
            continue
        target = crawled[0]
        if target.table is None:
            yield CHECK.finding(
                ctx,
                c.address,
                f"crawler's catalog target {target.database}.{target.name} is not a table declared in Terraform "
                f"(databases declared: {', '.join(ctx.database_names) or 'none'})",
            )
            continue
        location = table_location(target.table)
        if isinstance(location, Unknown):
            yield CHECK.finding(ctx, c.address, f"crawled table location cannot be decided: {location.reason}")
            continue
        parts = s3_url_parts(location)
        if parts is None:
            yield CHECK.finding(ctx, c.address, f"crawled table location {location!r} is not an s3:// URL")
            continue
        bucket, key = parts
        if bucket != curated:
            yield CHECK.finding(
                ctx,
                c.address,
                f"crawled table {target.name} is located in bucket {bucket}, not the curated bucket {curated}",
            )
            continue
        m = _PREFIX.match(key)
        if not m:
            yield CHECK.finding(
                ctx,
                c.address,
                f"crawled table {target.name} location {location} is not dataset/<name>/schema=<version>/",
            )
            continue
        dataset, version = m.group(1), int(m.group(2))
        if (dataset, version) not in ctx.contracts:
            yield CHECK.finding(
                ctx,
                c.address,
                f"crawled table location {location} names contract {dataset} v{version}, which does not exist",
            )
            continue
        highest.setdefault(dataset, []).append((version, key.strip("/"), c.address))
        targeted.add(key.strip("/"))
    for dataset, (expected, fn_address) in sorted(lambda_prefix.items()):
        if isinstance(expected, str) and expected.strip("/") not in targeted:
            yield CHECK.finding(
                ctx,
                fn_address,
                f"no crawler crawls the table at s3://{curated}/{expected.strip('/')}/ that {fn_address} writes for "
                f"dataset {dataset!r}: its new partitions never reach the catalog",
            )
    for dataset, crawlers in highest.items():
        version, key, address = max(crawlers)
        expected, fn_address = lambda_prefix.get(dataset, (None, None))
        if expected is None:
            yield CHECK.finding(ctx, address, f"no Lambda writes dataset {dataset!r} that this crawler reads")
        elif isinstance(expected, Unknown):
            yield CHECK.finding(ctx, address, f"CURATED_PREFIX of {fn_address} cannot be decided: {expected.reason}")
        elif str(expected).strip("/") != key:
            yield CHECK.finding(
                ctx,
                address,
                f"crawled table location {key}/ differs from the CURATED_PREFIX {expected!r} of {fn_address}",
            )


CHECK = Check(
    id="CRAWLER-SCOPE",
    severity="high",
    group="Each service stays in its lane",
    title="Each crawler crawls exactly one declared table (catalog target) at its dataset version's curated prefix",
    rationale=(
        "A crawler with an S3 target creates tables of its own from the folders it finds (schema_1, with a hash "
        "suffix on a clash) instead of keeping the declared table current; one pointed at raw or a parent prefix "
        "infers tables over the wrong data; a curated prefix the Lambda writes with no crawler (the seed's crawler "
        "deleted by hand) never gets its new partitions catalogued."
    ),
    fix=(
        "Give the crawler one catalog_target { database_name = <lake database>, tables = [<dataset>_v<version>] } "
        "and no s3_target; the table's location is s3://<curated>/dataset/<name>/schema=<version>/, the Lambda's "
        "CURATED_PREFIX."
    ),
    run=run,
)
