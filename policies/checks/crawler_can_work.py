"""CRAWLER-CAN-WORK: the crawler role can list/read its crawled table's location, maintain its partitions, log, decrypt."""

from policies.checks.base import Check
from policies.checks.crawl_targets import crawled_tables, table_location
from policies.checks.needs import missing
from policies.context import s3_url_parts
from policies.model import Unknown

GLUE_ACTIONS = (
    "glue:GetTable",
    "glue:UpdateTable",
    "glue:GetPartitions",
    "glue:BatchCreatePartition",
    "glue:BatchGetPartition",
    "glue:GetPartition",
)


def needs(ctx):
    out = []
    for c in ctx.model.of_type("aws_glue_crawler"):
        crawled = crawled_tables(ctx, c)
        if isinstance(crawled, Unknown):
            continue  # CRAWLER-SCOPE reports an undecidable target
        for target in crawled:
            if target.table is None:
                continue
            db, table = target.database, target.name
            out.append(("glue:GetDatabase", ctx.arn("glue", f"database/{db}"), "read its database"))
            for a in GLUE_ACTIONS:
                out.append((a, ctx.arn("glue", f"table/{db}/{table}"), f"maintain table {table}"))
            parts = s3_url_parts(table_location(target.table))
            if parts is None:
                continue
            bucket, key = parts
            out.append(("s3:ListBucket", f"arn:aws:s3:::{bucket}", f"list the location of {table}"))
            out.append(
                ("s3:GetObject", f"arn:aws:s3:::{bucket}/{key}dt=2024-01-01/x.parquet", f"read the Parquet of {table}")
            )
    if list(ctx.model.of_type("aws_glue_crawler")):
        group = ctx.arn("logs", "log-group:/aws-glue/crawlers:log-stream:x")
        out += [(a, group, "write /aws-glue/crawlers") for a in ("logs:CreateLogStream", "logs:PutLogEvents")]
        out += [("kms:Decrypt", key, "decrypt curated objects") for key in ctx.kms_key_arns]
    return out


def run(ctx):
    yield from missing(ctx, CHECK, "crawler", needs(ctx))


CHECK = Check(
    id="CRAWLER-CAN-WORK",
    severity="high",
    group="Enough privilege",
    title="The crawler role has every permission its job needs",
    rationale="A crawler without ListBucket on the bucket ARN or GetObject on the object ARN finishes with no partitions and no error.",
    fix="Grant the crawler role s3:ListBucket on arn:aws:s3:::<curated>, s3:GetObject on <curated>/<prefix>/*, the Glue table/partition actions on its database and table, logs on /aws-glue/crawlers and kms:Decrypt.",
    run=run,
)
