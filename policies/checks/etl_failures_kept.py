"""ETL-FAILURES-KEPT: each Lambda has an on-failure destination (SQS)."""

from policies.checks.base import Check
from policies.model import Unknown


def _function_of(ctx, value):
    if isinstance(value, Unknown):
        found = ctx.model.referenced(value, "aws_lambda_function")
        return found[0].get("function_name") if len(found) == 1 else value
    if isinstance(value, str) and ":function:" in value:
        return value.split(":function:")[1].split(":")[0]
    return value


def run(ctx):
    destinations: dict[str, object] = {}
    for cfg in ctx.model.of_type("aws_lambda_function_event_invoke_config"):
        fn = _function_of(ctx, cfg.get("function_name"))
        if isinstance(fn, Unknown):
            yield CHECK.finding(ctx, cfg.address, f"function cannot be decided: {fn.reason}")
            continue
        for dc in cfg.block("destination_config"):
            for of in dc.get("on_failure") or []:
                destinations[fn] = (of.get("destination"), cfg.address)
    for fn in ctx.functions:
        name = fn.get("function_name")
        dest, where = destinations.get(name, (None, fn.address))
        if dest is None:
            yield CHECK.finding(
                ctx,
                fn.address,
                f"function {name} has no on-failure destination: failed events are dropped after retries",
            )
        elif isinstance(dest, Unknown):
            if not ctx.model.referenced(dest, "aws_sqs_queue"):
                yield CHECK.finding(ctx, where, f"on-failure destination cannot be decided: {dest.reason}")
        elif ":sqs:" not in str(dest):
            yield CHECK.finding(ctx, where, f"on-failure destination {dest} is not an SQS queue")


CHECK = Check(
    id="ETL-FAILURES-KEPT",
    severity="high",
    group="Security baseline",
    title="Failed ETL events go to an SQS on-failure destination",
    rationale="An asynchronous invocation that fails its retries is dropped unless a destination keeps it for replay.",
    fix="Declare aws_lambda_function_event_invoke_config with destination_config { on_failure { destination = <sqs queue arn> } } for each function.",
    run=run,
)
