"""RAW-NO-EXPIRY: no lifecycle rule on raw expires current or noncurrent versions, or moves them to an archive class.

An archived object (GLACIER, DEEP_ARCHIVE) cannot be read until it is restored, hours later: a replay cannot read it.
"""

from policies.checks.base import Check
from policies.model import Unknown

ARCHIVE_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})  # GLACIER_IR is read at once and stays allowed


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
        for key in ("transition", "noncurrent_version_transition"):
            for transition in rule.get(key) or []:
                storage = transition.get("storage_class") if isinstance(transition, dict) else None
                if isinstance(storage, Unknown):
                    yield CHECK.finding(ctx, address, f"{key} storage class cannot be decided before apply")
                elif storage in ARCHIVE_CLASSES:
                    yield CHECK.finding(
                        ctx,
                        address,
                        f"lifecycle rule {rule.get('id', '')!r} on raw has a {key} to {storage}: archived raw objects "
                        "cannot be read by a replay until restored",
                    )


CHECK = Check(
    id="RAW-NO-EXPIRY",
    severity="critical",
    group="Raw is immutable and replayable",
    title="No lifecycle rule expires raw objects",
    rationale="An expiry rule deletes raw uploads (current or old versions) that replays depend on.",
    fix="Remove expiration / noncurrent_version_expiration and transitions to GLACIER / DEEP_ARCHIVE from raw lifecycle rules; transition to STANDARD_IA or GLACIER_IR instead.",
    run=run,
)
