"""ANALYST-CAN-QUERY: the analyst can run queries in the workgroup over curated, read/write the results location."""

from policies.checks.base import Check
from policies.checks.needs import missing
from policies.context import s3_url_parts


def needs(ctx):
    out = []
    for wg in ctx.model.of_type("aws_athena_workgroup"):
        name = wg.get("name")
        if isinstance(name, str):
            arn = ctx.arn("athena", f"workgroup/{name}")
            out += [
                (a, arn, "run queries")
                for a in ("athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults")
            ]
        confs = wg.block("configuration")
        rcs = confs[0].get("result_configuration") if confs else None
        if isinstance(rcs, list) and rcs:
            parts = s3_url_parts(rcs[0].get("output_location"))
            if parts:
                bucket, key = parts
                out.append(("s3:ListBucket", f"arn:aws:s3:::{bucket}", "list the results location"))
                for a in ("s3:GetObject", "s3:PutObject"):
                    out.append((a, f"arn:aws:s3:::{bucket}/{key}x.csv", "read and write query results"))
    for t in ctx.model.of_type("aws_glue_catalog_table"):
        db, name = t.get("database_name"), t.get("name")
        if isinstance(db, str) and isinstance(name, str):
            out.append(("glue:GetDatabase", ctx.arn("glue", f"database/{db}"), "read the database"))
            for a in ("glue:GetTable", "glue:GetPartitions"):
                out.append((a, ctx.arn("glue", f"table/{db}/{name}"), f"read table {name}"))
        for sd in t.block("storage_descriptor"):
            parts = s3_url_parts(sd.get("location"))
            if parts:
                out.append(("s3:ListBucket", f"arn:aws:s3:::{parts[0]}", "list table data"))
                out.append(
                    ("s3:GetObject", f"arn:aws:s3:::{parts[0]}/{parts[1]}dt=2024-01-01/x.parquet", "read table data")
                )
    out += [(a, key, "use the data key") for key in ctx.kms_key_arns for a in ("kms:Decrypt", "kms:GenerateDataKey")]
    return out


def run(ctx):
    yield from missing(ctx, CHECK, "analyst", needs(ctx))


CHECK = Check(
    id="ANALYST-CAN-QUERY",
    severity="medium",
    group="Enough privilege",
    title="The analyst role can query the lake through the workgroup",
    rationale="An analyst who cannot read partitions or write results gets an opaque Athena failure.",
    fix="Grant the analyst athena:StartQueryExecution/GetQueryExecution/GetQueryResults on the workgroup, glue:GetDatabase/GetTable/GetPartitions, s3:ListBucket/GetObject on curated, Get/PutObject on the results location and kms:Decrypt/GenerateDataKey.",
    run=run,
)
