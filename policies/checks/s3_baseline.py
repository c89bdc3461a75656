"""S3-BASELINE: every bucket has all public access blocks, SSE-KMS, a TLS-only deny and BucketOwnerEnforced."""

from policies.checks.base import Check
from policies.iam.document import parse_document
from policies.model import Unknown

PAB = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def _for_bucket(ctx, rtype, name):
    index = ctx.__dict__.setdefault("_s3_baseline_index", {})
    if rtype not in index:
        by_bucket: dict = {}
        for r in ctx.model.of_type(rtype):
            bucket = ctx.resolve_bucket(r.get("bucket"))
            if isinstance(bucket, str):
                by_bucket.setdefault(bucket, []).append(r)
        index[rtype] = by_bucket
    return index[rtype].get(name, [])


def _tls_only(statements) -> bool:
    for st in statements:
        if st.is_allow:
            continue
        for op, kv in (st.conditions or {}).items():
            if op == "Bool" and "false" in [str(v).lower() for v in kv.get("aws:SecureTransport", ())]:
                return True
    return False


TYPES = (
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy",
)


def run(ctx):
    undecided = [pair for t in TYPES for pair in ctx.undecided_bucket_resources(t)]
    for r, unknown in undecided:
        yield CHECK.finding(ctx, r.address, f"which bucket this configures cannot be decided: {unknown.reason}")
    if undecided:
        return
    for b in ctx.model.of_type("aws_s3_bucket"):
        name = b.get("bucket")
        if isinstance(name, Unknown):
            yield CHECK.finding(ctx, b.address, f"bucket name cannot be decided: {name.reason}")
            continue
        pabs = _for_bucket(ctx, "aws_s3_bucket_public_access_block", name)
        if not pabs:
            yield CHECK.finding(ctx, b.address, f"bucket {name} has no aws_s3_bucket_public_access_block")
        for p in pabs:
            off = [k for k in PAB if p.get(k) is not True]
            if off:
                yield CHECK.finding(ctx, p.address, f"bucket {name} public access block does not set {off} = true")
        sses = _for_bucket(ctx, "aws_s3_bucket_server_side_encryption_configuration", name)
        algos = [
            d.get("sse_algorithm")
            for s in sses
            for rule in s.block("rule")
            for d in (rule.get("apply_server_side_encryption_by_default") or [])
        ]
        if not any(a in ("aws:kms", "aws:kms:dsse") for a in algos):
            yield CHECK.finding(
                ctx,
                (sses[0].address if sses else b.address),
                f"bucket {name} has no SSE-KMS default encryption (got {algos or 'none'})",
            )
        owners = [
            rule.get("object_ownership")
            for o in _for_bucket(ctx, "aws_s3_bucket_ownership_controls", name)
            for rule in o.block("rule")
        ]
        if "BucketOwnerEnforced" not in owners:
            yield CHECK.finding(
                ctx, b.address, f"bucket {name} object ownership is {owners or 'unset'}, must be BucketOwnerEnforced"
            )
        policies = _for_bucket(ctx, "aws_s3_bucket_policy", name)
        tls = False
        for p in policies:
            statements = parse_document(p.get("policy"), p.address)
            if isinstance(statements, Unknown):
                yield CHECK.finding(ctx, p.address, f"bucket policy cannot be decided: {statements.reason}")
                tls = True
                continue
            tls = tls or _tls_only(statements)
        if not tls:
            yield CHECK.finding(
                ctx,
                (policies[0].address if policies else b.address),
                f"bucket {name} has no Deny for aws:SecureTransport = false",
            )


CHECK = Check(
    id="S3-BASELINE",
    severity="high",
    group="Security baseline",
    title="Every bucket is private, KMS-encrypted, TLS-only and owner-enforced",
    rationale="The lake's buckets hold personal data; each missing control is a known path to exposure.",
    fix="For each bucket declare aws_s3_bucket_public_access_block (all four true), SSE-KMS default encryption, a bucket policy denying aws:SecureTransport=false, and ownership BucketOwnerEnforced.",
    run=run,
)
