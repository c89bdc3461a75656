"""CRAWLER-SCOPE: each crawler has exactly one S3 target, inside curated, equal to a contract's prefix and the Lambda's."""

import re

from policies.checks.base import Check
from policies.context import s3_url_parts
from policies.model import Unknown

_PREFIX = re.compile(r"^dataset/([a-z][a-z0-9_]*)/schema=([1-9][0-9]*)/$")
OTHER_TARGETS = (
    "jdbc_target",
    "dynamodb_target",
    "catalog_target",
    "mongodb_target",
    "delta_target",
    "iceberg_target",
    "hudi_target",
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
        targets = c.block("s3_target")
        others = [t for t in OTHER_TARGETS if c.block(t)]
        if others:
            yield CHECK.finding(ctx, c.address, f"crawler has non-S3 targets {others}")
        if len(targets) != 1:
            yield CHECK.finding(ctx, c.address, f"crawler has {len(targets)} S3 targets, must have exactly one")
            continue
        path = targets[0].get("path") if "__unknown__" not in targets[0] else targets[0]["__unknown__"]
        if isinstance(path, Unknown):
            yield CHECK.finding(ctx, c.address, f"crawler target cannot be decided: {path.reason}")
            continue
        parts = s3_url_parts(path)
        if parts is None:
            yield CHECK.finding(ctx, c.address, f"crawler target {path!r} is not an s3:// URL")
            continue
        bucket, key = parts
        if bucket != curated:
            yield CHECK.finding(
                ctx, c.address, f"crawler target {path} is in bucket {bucket}, not the curated bucket {curated}"
            )
            continue
        m = _PREFIX.match(key)
        if not m:
            yield CHECK.finding(ctx, c.address, f"crawler target {path} is not dataset/<name>/schema=<version>/")
            continue
        dataset, version = m.group(1), int(m.group(2))
        if (dataset, version) not in ctx.contracts:
            yield CHECK.finding(
                ctx, c.address, f"crawler target {path} names contract {dataset} v{version}, which does not exist"
            )
            continue
        highest.setdefault(dataset, []).append((version, key.strip("/"), c.address))
        targeted.add(key.strip("/"))
    for dataset, (expected, fn_address) in sorted(lambda_prefix.items()):
        if isinstance(expected, str) and expected.strip("/") not in targeted:
            yield CHECK.finding(
                ctx,
                fn_address,
                f"no crawler targets s3://{curated}/{expected.strip('/')}/ that {fn_address} writes for dataset "
                f"{dataset!r}: its new partitions never reach the catalog",
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
                ctx, address, f"crawler target {key}/ differs from the CURATED_PREFIX {expected!r} of {fn_address}"
            )


CHECK = Check(
    id="CRAWLER-SCOPE",
    severity="high",
    group="Each service stays in its lane",
    title="Each crawler targets exactly its dataset version's curated prefix, and every written prefix has one",
    rationale=(
        "A crawler pointed at raw or at a parent prefix infers tables over the wrong data; a curated prefix the "
        "Lambda writes with no crawler (the seed's crawler deleted by hand) never gets its new partitions catalogued."
    ),
    fix='Give the crawler one s3_target { path = "s3://<curated>/dataset/<name>/schema=<version>/" } matching the Lambda\'s CURATED_PREFIX.',
    run=run,
)
