"""RAW-NO-EXPIRY: no lifecycle rule on raw expires current or noncurrent versions."""

from policies.checks.base import Check
from policies.model import Unknown


def run(ctx):
    for r, unknown in ctx.undecided_bucket_resources("aws_s3_bucket_lifecycle_configuration"):
        yield CHECK.finding(ctx, r.address, f"which bucket this configures cannot be decided: {unknown.reason}")
    raw = ctx.buckets.get("raw")
    if raw is None:
        return
    rules = [(raw.address, rule) for rule in raw.block("lifecycle_rule")]
    for r in ctx.bucket_resources("aws_s3_bucket_lifecycle_configuration", "raw"):
        rules += [(r.address, rule) for rule in r.block("rule")]
    for address, rule in rules:
        if isinstance(rule.get("status"), Unknown) or isinstance(rule.get("enabled"), Unknown):
            yield CHECK.finding(ctx, address, "lifecycle rule status cannot be decided before apply")
            continue
        if rule.get("status") == "Disabled" or rule.get("enabled") is False:
            continue
        for key in ("expiration", "noncurrent_version_expiration"):
            if rule.get(key):
                yield CHECK.finding(
                    ctx,
                    address,
                    f"lifecycle rule {rule.get('id', '')!r} on raw has {key}: raw objects would be deleted",
                )


CHECK = Check(
    id="RAW-NO-EXPIRY",
    severity="critical",
    group="Raw is immutable and replayable",
    title="No lifecycle rule expires raw objects",
    rationale="An expiry rule deletes raw uploads (current or old versions) that replays depend on.",
    fix="Remove expiration / noncurrent_version_expiration from raw lifecycle rules; use transitions to cheaper storage instead.",
    run=run,
)
