"""BATCH-ROLE-SCOPE: the batch-operations role invokes the lake's functions, reads replay manifests and writes replay
reports in the artifacts bucket, and nothing else: no raw or curated access, no other write."""

from policies.checks.base import Check
from policies.iam.matrix import key_within
from policies.model import Unknown

MANIFEST_PREFIX = "replay/manifests/"
REPORT_PREFIX = "replay/reports/"
KMS_ACTIONS = {"kms:decrypt", "kms:generatedatakey"}  # the artifacts bucket is encrypted with the data key


def _function_name(resource: object) -> str | None:
    if not isinstance(resource, str) or ":function:" not in resource:
        return None
    return resource.split(":function:", 1)[1].split(":", 1)[0]


def _s3_findings(ctx, role: str):
    artifacts = ctx.bucket_name("artifacts")
    for g in ctx.matrix.for_role(role):
        on = f"{g.bucket} ({g.key_pattern or 'bucket'})"
        if g.category in ("write", "delete", "admin"):
            if (
                g.bucket == artifacts
                and g.category == "write"
                and g.key_pattern
                and (key_within(g.key_pattern, f"{REPORT_PREFIX}*") or key_within(g.key_pattern, f"{MANIFEST_PREFIX}*"))
            ):
                continue
            yield (
                g.source,
                f"batch-operations role can {g.action} on {on}: its only writes are replay reports and manifests",
            )
        elif g.bucket != artifacts:
            yield (
                g.source,
                f"batch-operations role can {g.action} on {on}: the functions read raw, the job reads only manifests",
            )
        elif g.key_pattern and not key_within(g.key_pattern, f"{MANIFEST_PREFIX}*"):
            yield (
                g.source,
                f"batch-operations role can {g.action} artifacts keys {g.key_pattern!r}, outside {MANIFEST_PREFIX}",
            )


def _action_findings(ctx, access):
    lake_functions = {fn.get("function_name") for fn in ctx.functions}
    for sourced in access.statements:
        st = sourced.statement
        if not st.is_allow:
            continue
        if st.not_actions is not None:
            yield sourced.source, "batch-operations role has a NotAction allow: it grants everything else"
            continue
        for action in st.actions:
            lowered = action.lower()
            if (lowered.startswith("s3:") and "*" not in lowered) or lowered in KMS_ACTIONS:
                continue  # S3 grants are judged on the access matrix
            if lowered != "lambda:invokefunction":
                yield (
                    sourced.source,
                    f"batch-operations role is granted {action}: it may only invoke the lake's functions",
                )
                continue
            for resource in st.resources:
                if isinstance(resource, Unknown):
                    yield sourced.source, f"lambda:InvokeFunction resource cannot be decided: {resource.reason}"
                elif _function_name(resource) not in lake_functions:
                    yield (
                        sourced.source,
                        f"batch-operations role may invoke {resource}, not one of the lake's functions",
                    )


def run(ctx):
    access = ctx.roles.get("batch-operations")
    if access is None:
        yield CHECK.finding(ctx, "aws_iam_role.<batch-operations>", "no batch-operations role is declared")
        return
    for source, message in (*_s3_findings(ctx, access.name), *_action_findings(ctx, access)):
        yield CHECK.finding(ctx, source, message)
    for source, reason in ctx.matrix.undecidable.get(access.name, []):
        yield CHECK.finding(ctx, source, f"batch-operations role permissions cannot be decided: {reason}")


CHECK = Check(
    id="BATCH-ROLE-SCOPE",
    severity="critical",
    group="Each service stays in its lane",
    title="The batch-operations role invokes the lake's functions, reads manifests, writes reports, nothing else",
    rationale="A replay job runs at account scale; a role that can write raw or curated, or invoke any function, turns a "
    "replay into a way around every other invariant. The functions read raw with their own role.",
    fix=f"Limit the batch-operations policy to lambda:InvokeFunction on the lake's functions, s3:GetObject/GetObjectVersion "
    f"on <artifacts>/{MANIFEST_PREFIX}*, s3:PutObject on <artifacts>/{REPORT_PREFIX}* and the data key; trust only "
    "batchoperations.s3.amazonaws.com.",
    run=run,
)
