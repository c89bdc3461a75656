"""RAW-WRITERS: only the declared uploader principals may PutObject into raw, and only under incoming/."""

from policies.checks.base import Check
from policies.iam.document import parse_document
from policies.iam.matrix import resource_covers
from policies.model import Unknown


def run(ctx):
    for r, unknown in ctx.undecided_bucket_resources("aws_s3_bucket_policy"):
        yield CHECK.finding(ctx, r.address, f"which bucket this policy guards cannot be decided: {unknown.reason}")
    raw = ctx.buckets.get("raw")
    if raw is None:
        return
    name = raw.get("bucket")
    declared = set(ctx.options.uploader_principals or ())
    for role in ctx.matrix.roles:
        for g in ctx.matrix.for_role(role, name, "write"):
            yield CHECK.finding(
                ctx,
                g.source,
                f"role {role} can {g.action} into raw ({g.key_pattern or 'bucket'}); only uploaders may write raw",
            )
    for p in ctx.bucket_resources("aws_s3_bucket_policy", "raw"):
        statements = parse_document(p.get("policy"), p.address)
        if isinstance(statements, Unknown):
            yield CHECK.finding(ctx, p.address, f"raw bucket policy cannot be decided: {statements.reason}")
            continue
        for st in statements:
            if not st.is_allow:
                continue
            if st.not_actions is not None or any(
                a.lower() in ("s3:putobject", "s3:*", "*", "s3:put*") for a in st.actions
            ):
                principals = [i for v in (st.principals or {"AWS": ("*",)}).values() for i in v]
                if ctx.options.uploader_principals is not None:
                    extra = [pr for pr in principals if pr not in declared]
                    if extra:
                        yield CHECK.finding(
                            ctx, p.address, f"raw bucket policy lets undeclared principals {extra} write"
                        )
                if "*" in principals:
                    yield CHECK.finding(ctx, p.address, "raw bucket policy lets any principal (*) write")
                resources = st.resources if st.not_resources is None else ("*",)
                for res in resources:
                    key = resource_covers(res, name, "*") if isinstance(res, str) else None
                    if key is not None and not key.startswith("incoming/"):
                        yield CHECK.finding(
                            ctx, p.address, f"raw bucket policy allows writes to {res}, outside incoming/"
                        )


CHECK = Check(
    id="RAW-WRITERS",
    severity="high",
    group="Raw is immutable and replayable",
    title="Only declared uploaders write raw, only under incoming/",
    rationale="Anything else that writes raw can forge or shadow an upload and trigger the ETL with it.",
    fix="Grant s3:PutObject on <raw>/incoming/* to the principals in uploader_principal_arns only; remove write grants on raw from the lake's roles.",
    run=run,
)
