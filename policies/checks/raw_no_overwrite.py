"""RAW-NO-OVERWRITE: nothing can overwrite or delete a raw object."""

from policies.checks.base import Check
from policies.iam.document import parse_document
from policies.model import Unknown

FORBIDDEN = ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning")


def _overwrite_guard(ctx, raw_name) -> tuple[bool, str]:
    """(guarded, reason): a bucket-policy Deny of PutObject without s3:if-none-match, or Object Lock."""
    for r in ctx.bucket_resources("aws_s3_bucket_object_lock_configuration", "raw"):
        return True, r.address
    raw = ctx.buckets["raw"]
    if raw.get("object_lock_enabled") is True:
        return True, raw.address
    for p in ctx.bucket_resources("aws_s3_bucket_policy", "raw"):
        statements = parse_document(p.get("policy"), p.address)
        if isinstance(statements, Unknown):
            return False, f"the raw bucket policy cannot be decided: {statements.reason}"
        for st in statements:
            if st.is_allow or not any(a.lower() in ("s3:putobject", "s3:*", "*") for a in st.actions):
                continue
            for op, kv in (st.conditions or {}).items():
                for key, values in kv.items():
                    if key.lower() == "s3:if-none-match" and (
                        (op == "Null" and "true" in values) or op.startswith("StringNotEquals")
                    ):
                        return True, p.address
    return False, "neither Object Lock nor a bucket-policy Deny of PutObject without s3:if-none-match"


def run(ctx):
    for r, unknown in ctx.undecided_bucket_resources("aws_s3_bucket_policy"):
        yield CHECK.finding(ctx, r.address, f"which bucket this policy guards cannot be decided: {unknown.reason}")
    raw = ctx.buckets.get("raw")
    if raw is None:
        return
    name = raw.get("bucket")
    forbidden = {a.lower() for a in FORBIDDEN}
    for role in ctx.matrix.roles:
        for g in ctx.matrix.for_role(role, name):
            if g.action.lower() in forbidden:
                yield CHECK.finding(ctx, g.source, f"role {role} is granted {g.action} on the raw bucket {name}")
    guarded, reason = _overwrite_guard(ctx, name)
    if not guarded:
        yield CHECK.finding(ctx, raw.address, f"raw bucket {name} does not prevent overwrites: {reason}")


CHECK = Check(
    id="RAW-NO-OVERWRITE",
    severity="critical",
    group="Raw is immutable and replayable",
    title="Nothing can overwrite or delete a raw object",
    rationale="Raw is the replay source: a delete, an expiry rule, suspended versioning or an overwrite destroys evidence.",
    fix="Remove s3:DeleteObject/DeleteObjectVersion/PutLifecycleConfiguration/PutBucketVersioning on raw from every role, "
    'and keep the raw bucket policy statement that denies s3:PutObject when "s3:if-none-match" is absent (or enable Object Lock).',
    run=run,
)
