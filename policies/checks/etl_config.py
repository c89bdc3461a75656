"""ETL-CONFIG: the Lambda gets its six settings from Terraform; the handler code names no bucket."""

from pathlib import Path

from policies.checks.base import Check
from policies.model import Unknown

REQUIRED = ("RAW_BUCKET", "CURATED_BUCKET", "CURATED_PREFIX", "SCHEMA_VERSION", "QUARANTINE_BUCKET", "DATASET")


def run(ctx):
    expected_buckets = {"RAW_BUCKET": "raw", "CURATED_BUCKET": "curated", "QUARANTINE_BUCKET": "quarantine"}
    for fn in ctx.functions:
        env = ctx.env(fn)
        if isinstance(env, Unknown):
            yield CHECK.finding(ctx, fn.address, f"environment cannot be decided: {env.reason}")
            continue
        missing = [k for k in REQUIRED if k not in env]
        if missing:
            yield CHECK.finding(ctx, fn.address, f"environment lacks {missing}")
        for key, kind in expected_buckets.items():
            value = env.get(key)
            if key in env and not isinstance(value, Unknown) and value != ctx.bucket_name(kind):
                yield CHECK.finding(
                    ctx, fn.address, f"{key} is {value!r}, not the {kind} bucket {ctx.bucket_name(kind)!r}"
                )
        ds, version, prefix = env.get("DATASET"), env.get("SCHEMA_VERSION"), env.get("CURATED_PREFIX")
        if isinstance(ds, str) and version is not None and not isinstance(version, Unknown):
            versions = sorted(v for (d, v) in ctx.contracts if d == ds)
            if str(version) not in {str(v) for v in versions}:
                yield CHECK.finding(
                    ctx, fn.address, f"SCHEMA_VERSION {version} of {ds} has no contract (have {versions})"
                )
            elif isinstance(prefix, str) and prefix.strip("/") != f"dataset/{ds}/schema={version}":
                yield CHECK.finding(ctx, fn.address, f"CURATED_PREFIX {prefix!r} is not dataset/{ds}/schema={version}")
    names = [ctx.bucket_name(k) for k in ("raw", "curated", "quarantine", "athena-results", "artifacts")]
    names = [n for n in names if n]
    for path in sorted(Path(ctx.options.handler_source).glob("handler/**/*.py")):
        text = path.read_text(encoding="utf-8")
        for n in names:
            if n in text:
                yield CHECK.finding(
                    ctx, str(path), f"handler code contains the bucket name {n!r}; read it from the environment"
                )


CHECK = Check(
    id="ETL-CONFIG",
    severity="high",
    group="Contracts hold end to end",
    title="The Lambda is configured by Terraform, not by constants in code",
    rationale="A bucket name in code deploys to every environment unchanged and writes into the wrong lake.",
    fix="Pass RAW_BUCKET, CURATED_BUCKET, CURATED_PREFIX, SCHEMA_VERSION, QUARANTINE_BUCKET and DATASET in environment.variables and read them in the handler.",
    run=run,
)
