"""S3-BASELINE: every bucket has all public access blocks, SSE-KMS, a TLS-only deny and BucketOwnerEnforced.

Private means private by every path: no bucket policy Allow to everyone (Principal "*" without a condition), no ACL
grant beyond the owner, no replication to a bucket outside the lake.
"""

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


PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _public_statements(statements) -> list[str]:
    """Sids (or indexes) of Allow statements open to everyone: Principal "*" and no condition to narrow it."""
    out = []
    for i, st in enumerate(statements):
        everyone = any("*" in values for values in (st.principals or {}).values())
        if st.is_allow and everyone and not st.conditions:
            out.append(st.sid or f"#{i}")
    return out


def _acl_problems(acl) -> list[str]:
    """What an aws_s3_bucket_acl grants beyond the bucket owner (canned ACL other than private, or grants)."""
    out = []
    canned = acl.get("acl")
    if isinstance(canned, str) and canned not in ("", "private"):
        out.append(f"canned ACL {canned}")
    for policy in acl.block("access_control_policy"):
        owner = ((policy.get("owner") or [{}])[0] or {}).get("id")
        for grant in policy.get("grant") or []:
            grantee = (grant.get("grantee") or [{}])[0] or {}
            if grantee.get("uri") in PUBLIC_GROUPS or (grantee.get("id") and grantee.get("id") != owner):
                out.append(f"{grant.get('permission')} to {grantee.get('uri') or grantee.get('id')}")
            elif grantee.get("email_address"):
                out.append(f"{grant.get('permission')} to {grantee.get('email_address')}")
    return out


def _foreign_destinations(ctx, replication) -> list[str]:
    """Replication destinations (bucket ARNs) that are not one of the lake's buckets."""
    lake = {
        f"arn:aws:s3:::{ctx.bucket_name(kind)}"
        for kind in ("raw", "curated", "quarantine", "athena-results", "artifacts")
    }
    out = []
    for rule in replication.block("rule"):
        for destination in rule.get("destination") or []:
            target = destination.get("bucket") if isinstance(destination, dict) else None
            if isinstance(target, str) and target not in lake:
                out.append(target)
    return out


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
        for p in policies:
            statements = parse_document(p.get("policy"), p.address)
            if isinstance(statements, list) and _public_statements(statements):
                yield CHECK.finding(
                    ctx,
                    p.address,
                    f"bucket {name} policy allows everyone (Principal *, no condition): {_public_statements(statements)}",
                )
        for acl in _for_bucket(ctx, "aws_s3_bucket_acl", name):
            problems = _acl_problems(acl)
            if problems:
                yield CHECK.finding(ctx, acl.address, f"bucket {name} ACL grants beyond its owner: {problems}")
        for replication in _for_bucket(ctx, "aws_s3_bucket_replication_configuration", name):
            foreign = _foreign_destinations(ctx, replication)
            if foreign:
                yield CHECK.finding(
                    ctx, replication.address, f"bucket {name} replicates to buckets outside the lake: {foreign}"
                )


CHECK = Check(
    id="S3-BASELINE",
    severity="high",
    group="Security baseline",
    title="Every bucket is private, KMS-encrypted, TLS-only and owner-enforced",
    rationale="The lake's buckets hold personal data; each missing control is a known path to exposure.",
    fix="For each bucket declare aws_s3_bucket_public_access_block (all four true), SSE-KMS default encryption, a bucket policy denying aws:SecureTransport=false, and ownership BucketOwnerEnforced; allow no public principal, grant no ACL, replicate only to lake buckets.",
    run=run,
)
