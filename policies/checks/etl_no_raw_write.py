"""ETL-NO-RAW-WRITE: the etl role cannot write raw; reads raw only under incoming/; writes only its curated prefix and
quarantine; no function is configured to write its output into raw or runs as a role that can write raw.

In a split lake this crosses layers: the etl role and raw are foundation's, the functions and their environment
(CURATED_PREFIX, the buckets it writes) ingestion's. A function names its role by ARN, looked up in the whole lake.
"""

from policies.checks.base import Check
from policies.iam.matrix import key_within
from policies.model import Unknown

OUTPUTS = ("CURATED_BUCKET", "QUARANTINE_BUCKET")


def run(ctx):
    etl = ctx.roles.get("etl")
    if etl is None:
        yield CHECK.finding(ctx, "aws_iam_role.<etl>", "no etl role (<prefix>-etl) is declared")
        return
    role = etl.name
    raw, curated, quarantine = (ctx.bucket_name(k) for k in ("raw", "curated", "quarantine"))
    prefixes = set()
    for fn in ctx.functions:
        env = ctx.env(fn)
        if isinstance(env, dict) and isinstance(env.get("CURATED_PREFIX"), str):
            prefixes.add(env["CURATED_PREFIX"].strip("/") + "/*")
    for g in ctx.matrix.for_role(role):
        where = g.source
        if g.bucket == raw:
            if g.category in ("write", "delete", "admin"):
                yield CHECK.finding(
                    ctx,
                    where,
                    f"etl role can {g.action} on raw ({g.key_pattern or 'bucket'}): raw is read-only for the ETL",
                )
            elif g.category == "read" and not key_within(g.key_pattern, "incoming/*"):
                yield CHECK.finding(
                    ctx, where, f"etl role can {g.action} raw keys {g.key_pattern!r}, outside incoming/"
                )
        elif g.category in ("write", "delete", "admin"):
            if g.bucket == quarantine and g.category == "write":
                continue
            # its own curated prefix: writes, and deletes of its own outputs (roll back a failed invocation)
            if (
                g.bucket == curated
                and g.category in ("write", "delete")
                and any(key_within(g.key_pattern, p) for p in prefixes)
            ):
                continue
            yield CHECK.finding(
                ctx,
                where,
                f"etl role can {g.action} on {g.bucket} ({g.key_pattern or 'bucket'}): it may write only its curated prefix and quarantine",
            )
    for source, reason in ctx.matrix.undecidable.get(role, []):
        yield CHECK.finding(ctx, source, f"etl role permissions cannot be decided: {reason}")
    for fn in ctx.functions:
        yield from _function(ctx, fn, raw, etl)


def _function(ctx, fn, raw, etl):
    """One function: the buckets its environment says it writes, and the role it runs as."""
    env = ctx.env(fn)
    if isinstance(env, Unknown):
        yield CHECK.finding(ctx, fn.address, f"the buckets this function writes cannot be decided: {env.reason}")
        env = {}
    for key in OUTPUTS:
        value = env.get(key)
        if isinstance(value, Unknown):
            yield CHECK.finding(ctx, fn.address, f"{key} cannot be decided: {value.reason}")
        elif raw is not None and value == raw:
            yield CHECK.finding(
                ctx, fn.address, f"{key} is the raw bucket {raw}: the function would write its output into raw"
            )
    runs_as = ctx.role_of(fn.get("role"))
    if isinstance(runs_as, Unknown):
        yield CHECK.finding(ctx, fn.address, f"the role this function runs as cannot be decided: {runs_as.reason}")
    elif runs_as is not None and raw is not None and runs_as.name != etl.name:
        for g in ctx.matrix.for_role(runs_as.name, raw):
            if g.category in ("write", "delete", "admin"):
                yield CHECK.finding(
                    ctx,
                    fn.address,
                    f"function runs as role {runs_as.name} ({ctx.layer_of(runs_as.role.address) or 'role'}), which "
                    f"can {g.action} on raw ({g.key_pattern or 'bucket'}) through {g.source}",
                )


CHECK = Check(
    id="ETL-NO-RAW-WRITE",
    severity="critical",
    group="Each service stays in its lane",
    title="The ETL reads raw incoming/ only and writes only its curated prefix and quarantine, never raw",
    rationale="A Lambda that can write raw can destroy the replay source; one that writes outside its prefix corrupts other datasets. "
    "Inside its own curated prefix it may also delete (rolling back a failed invocation's outputs); quarantine is write-only, "
    "since a deleted error report loses the record of a rejected input.",
    fix="Limit the etl policy to s3:GetObject/GetObjectVersion on <raw>/incoming/<dataset>/*, s3:PutObject on <curated>/<CURATED_PREFIX>/* and <quarantine>/<dataset>/*; "
    "set each function's CURATED_BUCKET and QUARANTINE_BUCKET to the curated and quarantine buckets and its role to the etl role.",
    run=run,
)
