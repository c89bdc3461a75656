"""IAM-ONE-ROLE-PER-SERVICE: each trust policy names exactly one service (or the CI principal); no shared roles."""

from policies.checks.base import Check
from policies.context import ROLE_KINDS, SERVICE_OF_ROLE
from policies.model import Unknown


def _assume_principals(trust) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for st in trust:
        if not st.is_allow or not any(
            a.lower().startswith("sts:assumerole") or a in ("*", "sts:*") for a in st.actions
        ):
            continue
        for kind, ids in (st.principals or {}).items():
            out.setdefault(kind, set()).update(ids)
    return out


def run(ctx):
    services_seen: dict[str, str] = {}
    for kind in ROLE_KINDS:
        access = ctx.roles.get(kind)
        if access is None:
            yield CHECK.finding(ctx, f"aws_iam_role.<{kind}>", f"no {kind} role is declared")
            continue
        address = access.role.address
        if isinstance(access.trust, Unknown):
            yield CHECK.finding(ctx, address, f"trust policy cannot be decided: {access.trust.reason}")
            continue
        principals = _assume_principals(access.trust)
        services = principals.get("Service", set())
        others = {k: v for k, v in principals.items() if k != "Service"}
        expected = SERVICE_OF_ROLE.get(kind)
        if expected:
            if services != {expected} or others:
                yield CHECK.finding(
                    ctx,
                    address,
                    f"{kind} role trust names {dict((k, sorted(v)) for k, v in principals.items())}; it must name only {expected}",
                )
        else:
            if services:
                yield CHECK.finding(
                    ctx,
                    address,
                    f"{kind} role is assumable by services {sorted(services)}; it is for people/CI principals only",
                )
            if "*" in others.get("AWS", set()) or not others:
                yield CHECK.finding(
                    ctx,
                    address,
                    f"{kind} role trust must name the configured principals, got {dict((k, sorted(v)) for k, v in principals.items())}",
                )
        for s in services:
            if s in services_seen and services_seen[s] != access.name:
                yield CHECK.finding(ctx, address, f"service {s} can assume both {services_seen[s]} and {access.name}")
            services_seen[s] = access.name
    checks = (("aws_lambda_function", "etl", "role"), ("aws_glue_crawler", "crawler", "role"))
    for rtype, kind, attr in checks:
        expected = ctx.roles.get(kind)
        for r in ctx.model.of_type(rtype):
            role = ctx.role_of(r.get(attr))
            if isinstance(role, Unknown):
                yield CHECK.finding(ctx, r.address, f"role cannot be decided: {role.reason}")
            elif expected is None or role is None or role.name != expected.name:
                got = role.name if role else r.get(attr)
                yield CHECK.finding(ctx, r.address, f"{rtype} runs as {got!r}; it must use the {kind} role")


CHECK = Check(
    id="IAM-ONE-ROLE-PER-SERVICE",
    severity="high",
    group="Least privilege",
    title="One role per service, trusted by that service only",
    rationale="A role shared between services carries the union of their permissions (the crawler reading raw through the ETL role).",
    fix="Give each role a trust policy with exactly its service principal (lambda.amazonaws.com for etl, glue.amazonaws.com for crawler) or the configured CI/analyst principals, and point each function/crawler at its own role.",
    run=run,
)
