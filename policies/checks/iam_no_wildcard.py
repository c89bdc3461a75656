"""IAM-NO-WILDCARD: no * / s3:* style action wildcard on S3, no Resource "*" for S3 actions, no NotAction/NotResource Allow."""

from policies.checks.base import Check
from policies.iam.document import parse_document
from policies.model import Unknown


def statement_problems(st) -> list[str]:
    if not st.is_allow:
        return []
    out = []
    if st.not_actions is not None:
        out.append(f"Allow with NotAction {list(st.not_actions)}")
    if st.not_resources is not None:
        out.append(f"Allow with NotResource {list(st.not_resources)}")
    s3_actions = [a for a in st.actions if a == "*" or a.lower().startswith("s3:")]
    for a in s3_actions:
        if "*" in a or "?" in a:
            out.append(f"action wildcard {a!r}")
    if s3_actions and "*" in st.resources:
        out.append(f'Resource "*" for S3 actions {s3_actions}')
    return out


def _documents(ctx):
    """(address, document) of every identity policy attached to a lake role, and every bucket policy."""
    for access in ctx.matrix.roles.values():
        for sourced in access.statements:
            yield sourced.source, sourced.statement
    for p in ctx.model.of_type("aws_s3_bucket_policy"):
        statements = parse_document(p.get("policy"), p.address)
        if isinstance(statements, list):
            for st in statements:
                yield p.address, st
    for p in ctx.model.of_type("aws_iam_policy"):
        try:
            statements = parse_document(p.get("policy"), p.address)
        except ValueError:
            continue
        if isinstance(statements, Unknown):
            yield p.address, statements
        else:
            for st in statements:
                yield p.address, st


def run(ctx):
    seen = set()
    for address, st in _documents(ctx):
        if isinstance(st, Unknown):
            yield CHECK.finding(ctx, address, f"policy cannot be decided: {st.reason}")
            continue
        for problem in statement_problems(st):
            key = (address, st.sid, problem)
            if key in seen:
                continue
            seen.add(key)
            sid = f" (Sid {st.sid})" if st.sid else ""
            yield CHECK.finding(ctx, address, f"{problem}{sid}")
    for role, items in ctx.matrix.undecidable.items():
        for source, reason in items:
            yield CHECK.finding(ctx, source, f"permissions of role {role} cannot be decided: {reason}")


CHECK = Check(
    id="IAM-NO-WILDCARD",
    severity="high",
    group="Least privilege",
    title="No S3 action wildcards, no Resource * for S3, no NotAction/NotResource Allow",
    rationale="Wildcards grant actions AWS adds later and hide what a role can do; NotAction allows are unbounded.",
    fix="List the exact S3 actions and the exact bucket/prefix ARNs; replace NotAction/NotResource Allow with explicit lists.",
    run=run,
)
