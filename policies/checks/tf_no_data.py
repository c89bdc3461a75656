"""TF-NO-DATA: Terraform manages no objects inside raw, curated or quarantine."""

from policies.checks.base import Check
from policies.model import Unknown

OBJECT_TYPES = ("aws_s3_object", "aws_s3_bucket_object", "aws_s3_object_copy")


def run(ctx):
    data = {ctx.bucket_name(k): k for k in ("raw", "curated", "quarantine") if ctx.bucket_name(k)}
    for r in ctx.model.of_type(*OBJECT_TYPES):
        bucket = ctx.resolve_bucket(r.get("bucket"))
        if isinstance(bucket, Unknown):
            yield CHECK.finding(ctx, r.address, f"object's bucket cannot be decided: {bucket.reason}")
        elif bucket in data:
            yield CHECK.finding(
                ctx, r.address, f"Terraform manages object {r.get('key')!r} in the {data[bucket]} bucket {bucket}"
            )


CHECK = Check(
    id="TF-NO-DATA",
    severity="high",
    group="Each service stays in its lane",
    title="Terraform manages no objects in the data buckets",
    rationale="A Terraform-managed object in raw/curated/quarantine is deleted or reverted by the next apply and bypasses the ETL.",
    fix="Remove the aws_s3_object; upload data through the uploader (raw) and let the ETL write curated/quarantine.",
    run=run,
)
