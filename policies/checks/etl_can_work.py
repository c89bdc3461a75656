"""ETL-CAN-WORK: the etl role can do its job (read raw incoming/, write curated + quarantine, logs, failures, KMS)."""

from policies.checks.base import Check
from policies.checks.needs import missing
from policies.model import Unknown


def needs(ctx):
    out = []
    raw, curated, quarantine = (ctx.bucket_name(k) for k in ("raw", "curated", "quarantine"))
    queues = [q.get("name") for q in ctx.model.of_type("aws_sqs_queue") if isinstance(q.get("name"), str)]
    for fn in ctx.functions:
        env = ctx.env(fn)
        if not isinstance(env, dict):
            continue
        ds, prefix = env.get("DATASET"), env.get("CURATED_PREFIX")
        version = env.get("SCHEMA_VERSION")
        if isinstance(ds, str):
            for action in ("s3:GetObject", "s3:GetObjectVersion"):
                out.append((action, f"arn:aws:s3:::{raw}/incoming/{ds}/2024/01/01/x.json", f"read uploads of {ds}"))
            out.append(
                (
                    "s3:PutObject",
                    f"arn:aws:s3:::{quarantine}/{ds}/schema={version}/x.ndjson",
                    "write quarantine reports",
                )
            )
        if isinstance(prefix, str):
            out.append(
                (
                    "s3:PutObject",
                    f"arn:aws:s3:::{curated}/{prefix.strip('/')}/dt=2024-01-01/x.parquet",
                    "write curated Parquet",
                )
            )
        name = fn.get("function_name")
        if isinstance(name, str):
            group = ctx.arn("logs", f"log-group:/aws/lambda/{name}:log-stream:x")
            out += [(a, group, "write its log group") for a in ("logs:CreateLogStream", "logs:PutLogEvents")]
    for cfg in ctx.model.of_type("aws_lambda_function_event_invoke_config"):
        for dc in cfg.block("destination_config"):
            for of in dc.get("on_failure") or []:
                dest = of.get("destination")
                if isinstance(dest, Unknown):
                    found = ctx.model.referenced(dest, "aws_sqs_queue")
                    dest = ctx.arn("sqs", found[0].get("name")) if found else None
                if isinstance(dest, str) and ":sqs:" in dest:
                    out.append(("sqs:SendMessage", dest, "send failed events to the failure destination"))
    if not any(a == "sqs:SendMessage" for a, _, _ in out):
        for q in queues:
            out.append(("sqs:SendMessage", ctx.arn("sqs", q), "send failed events to the failure destination"))
    for key in ctx.kms_key_arns:
        out += [(a, key, "use the data key of raw/curated/quarantine") for a in ("kms:Decrypt", "kms:GenerateDataKey")]
    return out


def unusable_keys(ctx):
    """(address, message) for each key the ETL would need but nobody can use: disabled, or gone while an alias
    still names it (deleted, or pending deletion: AWS refuses every use during the waiting period)."""
    keys = list(ctx.model.of_type("aws_kms_key"))
    for key in keys:
        if key.get("is_enabled") is False:
            yield key.address, f"KMS key {key.get('key_id') or key.address} is disabled: no role can use it"
    known = {k.get(attr) for k in keys for attr in ("key_id", "arn", "id")}
    for alias in ctx.model.of_type("aws_kms_alias"):
        target = alias.get("target_key_id")
        if isinstance(target, str) and target and target not in known:
            yield alias.address, f"alias {alias.get('name')} names key {target}, which is gone or pending deletion"


def run(ctx):
    yield from missing(ctx, CHECK, "etl", needs(ctx))
    for address, message in unusable_keys(ctx):
        yield CHECK.finding(ctx, address, message)


CHECK = Check(
    id="ETL-CAN-WORK",
    severity="high",
    group="Enough privilege",
    title="The ETL role has every permission its job needs",
    rationale="Each missing grant was a runtime AccessDenied in the seed; the plan is the place to find it.",
    fix="Grant the etl role GetObject/GetObjectVersion on <raw>/incoming/<dataset>/*, PutObject on its curated prefix and <quarantine>/<dataset>/*, logs:CreateLogStream/PutLogEvents on its log group, sqs:SendMessage on the failure queue and kms:Decrypt/GenerateDataKey on the data key.",
    run=run,
)
