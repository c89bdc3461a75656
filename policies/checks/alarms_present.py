"""ALARMS-PRESENT: a person hears of a filling failure queue, failing or throttled functions and crawler trouble.

LOGS-RETAINED's sibling: logs keep the evidence, alarms make someone read it. Required, each notifying an SNS topic
and naming its runbook command in the description:
- the failure queue: depth above zero, and the age of its oldest message (``lake replay --redrive``);
- each ETL function: Errors and Throttles (``lake replay --redrive``);
- the crawlers: an alarm on a metric filter of their log group (``lake crawl``).
"""

from policies.checks.base import Check
from policies.checks.logs_retained import CRAWLER_GROUP
from policies.model import Unknown, find_unknown

REDRIVE, CRAWL = "lake replay --redrive", "lake crawl"
ABOVE_ZERO = {("GreaterThanThreshold", 0), ("GreaterThanOrEqualToThreshold", 1)}


def _notifies_topic(ctx, alarm) -> str | None:
    """None when the alarm's actions include an SNS topic of the lake, else why not."""
    actions = alarm.get("alarm_actions")
    if not actions:
        return "it has no alarm_actions: nobody is notified"
    if not isinstance(actions, Unknown) and any(isinstance(a, str) and ":sns:" in a for a in actions):
        return None
    if find_unknown(actions) is not None and ctx.model.referenced(find_unknown(actions), "aws_sns_topic"):
        return None
    unknown = find_unknown(actions)
    return f"its actions cannot be decided: {unknown.reason}" if unknown else f"its actions {actions} name no SNS topic"


def _signal(alarm) -> tuple:
    dims = alarm.get("dimensions")
    dims = dims if isinstance(dims, dict) else {}
    return alarm.get("namespace"), alarm.get("metric_name"), tuple(sorted(dims.items()))


def _fires_above_zero(alarm) -> bool:
    threshold = alarm.get("threshold")
    return isinstance(threshold, int | float) and (alarm.get("comparison_operator"), int(threshold)) in ABOVE_ZERO


def _required(ctx) -> list[tuple[str, tuple, str, str, bool]]:
    """(owner address, signal, what it watches, runbook, must fire above zero) for every alarm the lake needs."""
    out = []
    for q in ctx.model.of_type("aws_sqs_queue"):
        name = q.get("name")
        if isinstance(name, str) and name.endswith("-etl-failures"):
            dims = (("QueueName", name),)
            out.append(
                (q.address, ("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims), f"depth of {name}", REDRIVE, True)
            )
            out.append(
                (
                    q.address,
                    ("AWS/SQS", "ApproximateAgeOfOldestMessage", dims),
                    f"oldest message in {name}",
                    REDRIVE,
                    False,
                )
            )
    for fn in ctx.functions:
        name = fn.get("function_name")
        if isinstance(name, str):
            for metric in ("Errors", "Throttles"):
                out.append(
                    (
                        fn.address,
                        ("AWS/Lambda", metric, (("FunctionName", name),)),
                        f"{metric} of {name}",
                        REDRIVE,
                        True,
                    )
                )
    return out


def _crawler_metrics(ctx) -> set[tuple]:
    metrics = set()
    for f in ctx.model.of_type("aws_cloudwatch_log_metric_filter"):
        if f.get("log_group_name") != CRAWLER_GROUP:
            continue
        for t in f.block("metric_transformation"):
            metrics.add((t.get("namespace"), t.get("name"), ()))
    return metrics


def run(ctx):
    alarms = list(ctx.model.of_type("aws_cloudwatch_metric_alarm"))
    by_signal: dict[tuple, list] = {}
    for alarm in alarms:
        by_signal.setdefault(_signal(alarm), []).append(alarm)
    wanted = _required(ctx)
    crawlers = list(ctx.model.of_type("aws_glue_crawler"))
    if crawlers:
        metrics = _crawler_metrics(ctx)
        candidates = [a for a in alarms if _signal(a) in metrics]
        if not candidates:
            yield CHECK.finding(
                ctx,
                crawlers[0].address,
                f"no CloudWatch alarm on a metric filter of {CRAWLER_GROUP}: a failed crawl or a logged schema "
                "difference goes unnoticed",
            )
        for alarm in candidates:
            yield from _judge(ctx, alarm, f"crawler logs ({alarm.get('metric_name')})", CRAWL, False)
    for owner, signal, what, runbook, above_zero in wanted:
        found = by_signal.get(signal)
        if not found:
            yield CHECK.finding(ctx, owner, f"no CloudWatch alarm on {signal[0]} {signal[1]} ({what})")
            continue
        for alarm in found:
            yield from _judge(ctx, alarm, what, runbook, above_zero)


def _judge(ctx, alarm, what: str, runbook: str, above_zero: bool):
    why = _notifies_topic(ctx, alarm)
    if why:
        yield CHECK.finding(ctx, alarm.address, f"alarm on {what}: {why}")
    description = alarm.get("alarm_description")
    if isinstance(description, str) and runbook not in description:
        yield CHECK.finding(
            ctx, alarm.address, f"alarm on {what}: its description does not name the runbook `{runbook}`"
        )
    elif not isinstance(description, str):
        yield CHECK.finding(ctx, alarm.address, f"alarm on {what}: no alarm_description naming `{runbook}`")
    if above_zero and not _fires_above_zero(alarm):
        got = f"{alarm.get('comparison_operator')} {alarm.get('threshold')}"
        yield CHECK.finding(ctx, alarm.address, f"alarm on {what} must fire on any value above zero, got {got}")


CHECK = Check(
    id="ALARMS-PRESENT",
    severity="medium",
    group="Security baseline",
    title="Alarms on the failure queue, each function's errors and throttles, and the crawlers reach a person",
    rationale="Failures are kept for replay only if someone learns of them: an unwatched failure queue fills silently.",
    fix="Use infra/modules/alarms: an SNS topic with subscriptions, alarms on the failure queue's depth (> 0) and oldest "
    "message age, each function's Errors and Throttles (> 0) and a metric filter on /aws-glue/crawlers; each description "
    "names its runbook (`lake replay --redrive`, `lake crawl`).",
    run=run,
)
