"""LOGS-RETAINED: each Lambda and the crawlers have a CloudWatch log group with a retention set."""

from policies.checks.base import Check
from policies.model import Unknown

CRAWLER_GROUP = "/aws-glue/crawlers"


def run(ctx):
    groups = {g.get("name"): g for g in ctx.model.of_type("aws_cloudwatch_log_group") if isinstance(g.get("name"), str)}
    wanted = [
        (f"/aws/lambda/{fn.get('function_name')}", fn.address)
        for fn in ctx.functions
        if isinstance(fn.get("function_name"), str)
    ]
    if list(ctx.model.of_type("aws_glue_crawler")):
        wanted.append((CRAWLER_GROUP, next(iter(ctx.model.of_type("aws_glue_crawler"))).address))
    for name, owner in wanted:
        group = groups.get(name)
        if group is None:
            yield CHECK.finding(
                ctx,
                owner,
                f"no aws_cloudwatch_log_group {name}: logs would be kept forever (or lost with no retention policy)",
            )
            continue
        retention = group.get("retention_in_days")
        if isinstance(retention, Unknown):
            yield CHECK.finding(ctx, group.address, f"retention cannot be decided: {retention.reason}")
        elif not retention:
            yield CHECK.finding(ctx, group.address, f"log group {name} has no retention_in_days")


CHECK = Check(
    id="LOGS-RETAINED",
    severity="medium",
    group="Security baseline",
    title="Lambda and crawler log groups exist with a retention",
    rationale="A log group created implicitly by the service never expires and is not in Terraform.",
    fix='Declare aws_cloudwatch_log_group "/aws/lambda/<function>" and "/aws-glue/crawlers" with retention_in_days.',
    run=run,
)
