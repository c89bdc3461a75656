"""RAW-VERSIONING: the raw bucket has versioning Enabled (never Suspended, never absent)."""

from policies.checks.base import Check
from policies.model import Unknown


def run(ctx):
    for r, unknown in ctx.undecided_bucket_resources("aws_s3_bucket_versioning"):
        yield CHECK.finding(ctx, r.address, f"which bucket this configures cannot be decided: {unknown.reason}")
    raw = ctx.buckets.get("raw")
    if raw is None:
        yield CHECK.finding(ctx, "aws_s3_bucket.<raw>", "no raw bucket (a bucket named <prefix>-raw) is declared")
        return
    statuses = []
    for v in raw.block("versioning"):  # legacy inline block on aws_s3_bucket
        if v.get("enabled") is True:
            statuses.append((raw.address, "Enabled"))
    for r in ctx.bucket_resources("aws_s3_bucket_versioning", "raw"):
        for conf in r.block("versioning_configuration"):
            statuses.append((r.address, conf.get("status")))
    if not statuses:
        yield CHECK.finding(
            ctx, raw.address, f"raw bucket {raw.get('bucket')} has no aws_s3_bucket_versioning: versioning is absent"
        )
    for address, status in statuses:
        if isinstance(status, Unknown):
            yield CHECK.finding(ctx, address, f"versioning status cannot be decided: {status.reason}")
        elif status != "Enabled":
            yield CHECK.finding(ctx, address, f"raw bucket versioning status is {status!r}, must be 'Enabled'")


CHECK = Check(
    id="RAW-VERSIONING",
    severity="critical",
    group="Raw is immutable and replayable",
    title="The raw bucket has versioning Enabled",
    rationale="Every replay names a raw key and versionId; without versioning an overwrite loses the original upload.",
    fix='Declare aws_s3_bucket_versioning for the raw bucket with versioning_configuration { status = "Enabled" }.',
    run=run,
)
