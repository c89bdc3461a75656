"""ATHENA-ENFORCED: workgroup configuration enforced, a bytes-scanned cutoff under the ceiling, results encrypted."""

from policies.checks.base import Check
from policies.model import Unknown


def run(ctx):
    workgroups = list(ctx.model.of_type("aws_athena_workgroup"))
    if not workgroups:
        yield CHECK.finding(ctx, "aws_athena_workgroup.<lake>", "no Athena workgroup is declared")
    for wg in workgroups:
        confs = wg.block("configuration")
        conf = confs[0] if confs else {}
        if "__unknown__" in conf:
            yield CHECK.finding(
                ctx, wg.address, f"workgroup configuration cannot be decided: {conf['__unknown__'].reason}"
            )
            continue
        enforce = conf.get("enforce_workgroup_configuration", True if confs else None)
        if enforce is not True:
            yield CHECK.finding(
                ctx,
                wg.address,
                f"enforce_workgroup_configuration is {enforce!r}: clients can override the result location and limits",
            )
        cutoff = conf.get("bytes_scanned_cutoff_per_query")
        if isinstance(cutoff, Unknown):
            yield CHECK.finding(ctx, wg.address, f"bytes_scanned_cutoff_per_query cannot be decided: {cutoff.reason}")
        elif not cutoff:  # None in HCL; 0 in a state or a live reading (AWS's minimum is 10 MB)
            yield CHECK.finding(
                ctx, wg.address, "bytes_scanned_cutoff_per_query is not set: a query can scan the whole lake"
            )
        elif cutoff > ctx.options.bytes_ceiling:
            yield CHECK.finding(
                ctx,
                wg.address,
                f"bytes_scanned_cutoff_per_query {cutoff} is above the ceiling {ctx.options.bytes_ceiling}",
            )
        rcs = conf.get("result_configuration") or []
        enc = (rcs[0].get("encryption_configuration") or []) if rcs and isinstance(rcs[0], dict) else []
        option = enc[0].get("encryption_option") if enc else None
        if isinstance(option, Unknown):
            yield CHECK.finding(ctx, wg.address, f"result encryption cannot be decided: {option.reason}")
        elif option not in ("SSE_S3", "SSE_KMS", "CSE_KMS"):
            yield CHECK.finding(
                ctx, wg.address, "query results are not encrypted (no result_configuration.encryption_configuration)"
            )


CHECK = Check(
    id="ATHENA-ENFORCED",
    severity="high",
    group="Each service stays in its lane",
    title="The Athena workgroup enforces its configuration, a scan cutoff and encrypted results",
    rationale="Without enforcement a client picks its own result location and no scan limit applies.",
    fix="Set enforce_workgroup_configuration = true, bytes_scanned_cutoff_per_query <= the ceiling, and result_configuration.encryption_configuration.",
    run=run,
)
