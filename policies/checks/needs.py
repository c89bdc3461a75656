"""Shared by the "enough privilege" checks: report each (action, resource) a role needs but is not granted."""

from policies.iam.matrix import role_allows


def missing(ctx, check, kind: str, needs: list[tuple[str, str, str]]):
    """``needs``: (action, concrete ARN, why). Yields one finding per missing grant, then undecidable sources."""
    access = ctx.roles.get(kind)
    if access is None:
        yield check.finding(ctx, f"aws_iam_role.<{kind}>", f"no {kind} role is declared")
        return
    for source, reason in ctx.matrix.undecidable.get(access.name, []):
        yield check.finding(ctx, source, f"{kind} role permissions cannot be decided: {reason}")
    reported = set()
    for action, arn, why in needs:
        if (action, arn) in reported:
            continue
        reported.add((action, arn))
        if not role_allows(access, action, arn):
            yield check.finding(ctx, access.role.address, f"{kind} role cannot {action} on {arn} ({why})")
