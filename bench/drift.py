"""Benchmark the drift check against ``terraform plan -refresh-only`` on a local (moto) lake.

    .venv/bin/python bench/drift.py                      # lake + 500+ generated resources
    .venv/bin/python bench/drift.py --generated 120      # quick look
    .venv/bin/python bench/drift.py --json bench.json    # figures as JSON too

1. Applies ``infra/envs/local`` (its four layers, in order) against a private moto server, then times
   ``terraform plan -refresh-only`` of each layer (one after the other, summed) and one ``lake drift`` over the
   four states (same resources, same endpoint, same run).
2. Creates ``--generated`` more resources through boto3 (buckets with their sub-resources, roles with inline
   policies, log groups, queues, Glue tables and crawlers, Lambda functions with event invoke configs) with a
   matching hand-built state, and times the drift check on it. It must report no drift: the figure is for a
   complete read.

3. Catalog health on one table with ``--catalog-partitions`` registered partitions (and as many dt= folders):
   the API calls the section makes (it must not make one per partition) and its time, plus 3 seeded issues it
   must find. ``--catalog-only`` runs just this part (no apply).

API calls are counted with a botocore event hook (``before-send``, retries included); Terraform's requests are
counted from the moto server's request log. Results are ratios measured in the same run; absolute seconds
depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drift.aws import AWSOptions, LiveAWS  # noqa: E402
from drift.check import CheckOptions, run_check  # noqa: E402
from lake.local_aws import LOCAL_ACCOUNT_ID, LocalAWS  # noqa: E402

TARGETS = {"speedup_vs_refresh_only": 3.0, "calls_per_resource": 2.0}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _request_count(aws: LocalAWS) -> int | None:
    if not aws.log_path:
        return None
    with open(aws.log_path, encoding="utf-8", errors="replace") as fh:
        return sum(1 for line in fh if '" 2' in line or '" 4' in line or '" 5' in line)


def _artifacts(directory: Path) -> tuple[Path, Path]:
    handler, layer = directory / "handler.zip", directory / "layer.zip"
    with zipfile.ZipFile(handler, "w") as zf:
        zf.writestr("handler/__init__.py", "")
        zf.writestr("handler/app.py", "def lambda_handler(event, context):\n    return None\n")
    with zipfile.ZipFile(layer, "w") as zf:
        zf.writestr("python/placeholder/__init__.py", "")
    return handler, layer


def drift_once(aws: LocalAWS, states: list[Path], workers: int, judge: bool = False) -> dict:
    options = CheckOptions(
        states=[str(state) for state in states],
        aws=AWSOptions(endpoint_url=aws.endpoint, region=aws.region, workers=workers),
        progress=False,
    )
    live = LiveAWS(options.aws, session=aws.session())
    started = time.perf_counter()
    # the reads alone, or (judge=True) with the invariant checks of policies run on the rebuilt live state too
    report = run_check(options, live, checker=None if judge else (lambda doc: []))
    seconds = time.perf_counter() - started
    drift = [f.to_dict() for f in report.findings]
    return {"seconds": seconds, "calls": report.calls, "resources": report.resources, "findings": drift}


def discovery_split(aws: LocalAWS, states: list[Path], workers: int) -> dict:
    """Of one scan's calls, those the unmanaged searches made (sub-resources of managed parents, <prefix>-* lists)."""
    from drift.check import infer_name_prefix
    from drift.scan import scan
    from drift.state import load_states

    live = LiveAWS(AWSOptions(endpoint_url=aws.endpoint, region=aws.region, workers=workers), session=aws.session())
    resources = load_states([str(state) for state in states], lambda: live.client("s3")).resources
    result = scan(resources, live, name_prefix=infer_name_prefix(resources), workers=workers, progress=False)
    return {
        "read_calls": result.calls - result.discovery_calls,
        "discovery_calls": result.discovery_calls,
        "discovery_calls_by_operation": dict(sorted(result.discovery_by_operation.items())),
    }


def best_of(runs: int, fn) -> dict:
    results = [fn() for _ in range(runs)]
    best = min(results, key=lambda r: r["seconds"])
    best["median_seconds"] = statistics.median(r["seconds"] for r in results)
    return best


# ---------------------------------------------------------------- generated resources


def _res(kind: str, name: str, key: str, attributes: dict) -> dict:
    return {
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": [{"index_key": key, "schema_version": 0, "attributes": attributes}],
    }


def generate(aws: LocalAWS, count: int, prefix: str = "bench") -> list[dict]:
    """Create about ``count`` resources through boto3 and return their tfstate resource entries."""
    s3, iam, logs, sqs, glue, lam = (aws.client(s) for s in ("s3", "iam", "logs", "sqs", "glue", "lambda"))
    out: list[dict] = []
    # one unit = a bucket with 5 sub-resources, a role + inline policy, a log group, a queue, 2 tables, a crawler
    units = max(1, count // 14)
    glue.create_database(DatabaseInput={"Name": f"{prefix}_db"})
    out.append(
        _res("aws_glue_catalog_database", "db", "0", {"id": f"{LOCAL_ACCOUNT_ID}:{prefix}_db", "name": f"{prefix}_db"})
    )
    role_arn = iam.create_role(RoleName=f"{prefix}-fn-role", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    out.append(
        _res(
            "aws_iam_role",
            "fn",
            "0",
            {
                "id": f"{prefix}-fn-role",
                "name": f"{prefix}-fn-role",
                "assume_role_policy": json.dumps(TRUST),
                "path": "/",
            },
        )
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zf:
        zf.writestr("app.py", "def handler(e, c):\n    return None\n")
    zipped = code.getvalue()
    for i in range(units):
        key = str(i)
        bucket = f"{prefix}-bucket-{i}"
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
            },
        )
        s3.put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        )
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "TLS",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        out += [
            _res("aws_s3_bucket", "b", key, {"id": bucket, "bucket": bucket}),
            _res(
                "aws_s3_bucket_versioning",
                "b",
                key,
                {"id": bucket, "bucket": bucket, "versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}]},
            ),
            _res(
                "aws_s3_bucket_public_access_block",
                "b",
                key,
                {
                    "id": bucket,
                    "bucket": bucket,
                    "block_public_acls": True,
                    "block_public_policy": True,
                    "ignore_public_acls": True,
                    "restrict_public_buckets": True,
                },
            ),
            _res(
                "aws_s3_bucket_ownership_controls",
                "b",
                key,
                {"id": bucket, "bucket": bucket, "rule": [{"object_ownership": "BucketOwnerEnforced"}]},
            ),
            _res(
                "aws_s3_bucket_server_side_encryption_configuration",
                "b",
                key,
                {
                    "id": bucket,
                    "bucket": bucket,
                    "rule": [
                        {
                            "apply_server_side_encryption_by_default": [
                                {"sse_algorithm": "AES256", "kms_master_key_id": ""}
                            ],
                            "bucket_key_enabled": False,
                        }
                    ],
                },
            ),
            _res(
                "aws_s3_bucket_policy",
                "b",
                key,
                {"id": bucket, "bucket": bucket, "policy": json.dumps(policy, indent=1)},
            ),
        ]
        role = f"{prefix}-role-{i}"
        doc = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{bucket}/*"}],
        }
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST))
        iam.put_role_policy(RoleName=role, PolicyName="read", PolicyDocument=json.dumps(doc))
        out += [
            _res(
                "aws_iam_role",
                "r",
                key,
                {"id": role, "name": role, "assume_role_policy": json.dumps(TRUST), "path": "/"},
            ),
            _res(
                "aws_iam_role_policy",
                "r",
                key,
                {"id": f"{role}:read", "role": role, "name": "read", "policy": json.dumps(doc)},
            ),
        ]
        group = f"/{prefix}/group-{i}"
        logs.create_log_group(logGroupName=group)
        logs.put_retention_policy(logGroupName=group, retentionInDays=14)
        out.append(
            _res(
                "aws_cloudwatch_log_group",
                "g",
                key,
                {"id": group, "name": group, "retention_in_days": 14, "kms_key_id": ""},
            )
        )
        url = sqs.create_queue(QueueName=f"{prefix}-queue-{i}", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
        out.append(
            _res(
                "aws_sqs_queue",
                "q",
                key,
                {
                    "id": url,
                    "url": url,
                    "visibility_timeout_seconds": 60,
                    "message_retention_seconds": 345600,
                    "delay_seconds": 0,
                    "max_message_size": 1048576,
                    "receive_wait_time_seconds": 0,
                    "kms_master_key_id": "",
                    "redrive_policy": "",
                    "sqs_managed_sse_enabled": True,
                },
            )
        )
        for t in range(2):
            table = f"t{i}_{t}"
            columns = [{"Name": "id", "Type": "bigint"}, {"Name": "body", "Type": "string"}]
            glue.create_table(
                DatabaseName=f"{prefix}_db",
                TableInput={
                    "Name": table,
                    "TableType": "EXTERNAL_TABLE",
                    "StorageDescriptor": {"Columns": columns, "Location": f"s3://{bucket}/{table}/"},
                },
            )
            out.append(
                _res(
                    "aws_glue_catalog_table",
                    "t",
                    f"{i}_{t}",
                    {
                        "id": f"{LOCAL_ACCOUNT_ID}:{prefix}_db:{table}",
                        "name": table,
                        "database_name": f"{prefix}_db",
                        "table_type": "EXTERNAL_TABLE",
                        "storage_descriptor": [
                            {
                                "location": f"s3://{bucket}/{table}/",
                                "columns": [{"name": c["Name"], "type": c["Type"], "comment": ""} for c in columns],
                            }
                        ],
                    },
                )
            )
        crawler = f"{prefix}-crawler-{i}"
        glue.create_crawler(
            Name=crawler,
            Role=role,
            DatabaseName=f"{prefix}_db",
            Targets={"S3Targets": [{"Path": f"s3://{bucket}/"}]},
            SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
        )
        out.append(
            _res(
                "aws_glue_crawler",
                "c",
                key,
                {
                    "id": crawler,
                    "name": crawler,
                    "role": role,
                    "database_name": f"{prefix}_db",
                    "s3_target": [{"path": f"s3://{bucket}/", "exclusions": []}],
                    "schema_change_policy": [{"update_behavior": "LOG", "delete_behavior": "LOG"}],
                },
            )
        )
        if i % 2 == 0:
            fn = f"{prefix}-fn-{i}"
            lam.create_function(
                FunctionName=fn,
                Runtime="python3.12",
                Role=role_arn,
                Handler="app.handler",
                Code={"ZipFile": zipped},
                Environment={"Variables": {"N": key}},
            )
            lam.put_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=1)
            out += [
                _res(
                    "aws_lambda_function",
                    "f",
                    key,
                    {
                        "id": fn,
                        "function_name": fn,
                        "runtime": "python3.12",
                        "handler": "app.handler",
                        "role": role_arn,
                        "memory_size": 128,
                        "timeout": 3,
                        "architectures": ["x86_64"],
                        "environment": [{"variables": {"N": key}}],
                        "code_sha256": base64.b64encode(hashlib.sha256(zipped).digest()).decode(),
                    },
                ),
                _res(
                    "aws_lambda_function_event_invoke_config",
                    "f",
                    key,
                    {"id": fn, "function_name": fn, "maximum_retry_attempts": 1},
                ),
            ]
    return out


# ---------------------------------------------------------------- main


def catalog_health_figures(aws: LocalAWS, partitions: int, name: str = "bench") -> dict:
    """Catalog health on a table with ``partitions`` registered dt= partitions, each with one file, plus one
    unregistered folder, one orphan partition and one partition in raw (which it must report)."""
    import math
    from datetime import date, timedelta

    from drift.aws import PARTITIONS_PAGE
    from drift.catalog_health import check
    from drift.model import ManagedResource
    from lake.local_aws import patched_environ

    db, bucket, raw = f"{name}_catalog", f"{name}-catalog-curated", f"{name}-catalog-raw"
    prefix = "dataset/events/schema=1"
    location = f"s3://{bucket}/{prefix}/"
    s3, glue = aws.client("s3"), aws.client("glue")
    for b in (bucket, raw):
        s3.create_bucket(Bucket=b)
    glue.create_database(DatabaseInput={"Name": db})
    glue.create_table(
        DatabaseName=db,
        TableInput={
            "Name": "events_v1",
            "PartitionKeys": [{"Name": "dt", "Type": "string"}],
            "StorageDescriptor": {"Location": location, "Columns": [{"Name": "id", "Type": "bigint"}]},
        },
    )
    days = [(date(2010, 1, 1) + timedelta(days=i)).isoformat() for i in range(partitions + 2)]
    for day in days[: partitions + 1]:  # the last of these stays unregistered
        s3.put_object(Bucket=bucket, Key=f"{prefix}/dt={day}/part-0.parquet", Body=b"PAR1")
    registered = [(d, f"{location}dt={d}/") for d in days[:partitions]]
    registered.append((days[partitions + 1], f"{location}dt={days[partitions + 1]}/"))  # orphan: no folder
    registered[0] = (registered[0][0], f"s3://{raw}/incoming/events/")  # in raw
    for i in range(0, len(registered), 100):
        glue.batch_create_partition(
            DatabaseName=db,
            TableName="events_v1",
            PartitionInputList=[
                {"Values": [d], "StorageDescriptor": {"Location": loc}} for d, loc in registered[i : i + 100]
            ],
        )
    table = ManagedResource(
        "aws_glue_catalog_table.events",
        "aws_glue_catalog_table",
        {
            "name": "events_v1",
            "database_name": db,
            "partition_keys": [{"name": "dt", "type": "string"}],
            "storage_descriptor": [{"location": location, "columns": [{"name": "id", "type": "bigint"}]}],
        },
    )
    with patched_environ(aws.environment()):
        live = LiveAWS(AWSOptions(endpoint_url=aws.endpoint, region=aws.region))
        started = time.perf_counter()
        health = check([table], live)
        seconds = time.perf_counter() - started
    found = sorted(i.kind for i in health.issues)
    if found != ["orphan", "outside", "unregistered"]:
        raise SystemExit(f"catalog health should find one issue of each kind, found {found}")
    objects = partitions + 1
    # moto returns every partition in one GetPartitions page; AWS pages at PARTITIONS_PAGE (the size asked for)
    aws_calls = math.ceil(len(registered) / PARTITIONS_PAGE) + math.ceil(objects / 1000)
    return {
        "partitions": len(registered),
        "objects": objects,
        "calls_measured_on_moto": health.calls,
        "calls_in_aws": aws_calls,
        "calls_one_per_partition_would_be": len(registered) + 1,
        "seconds": round(seconds, 3),
        "issues_found": found,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generated", type=int, default=520, help="generated managed resources (default 520)")
    parser.add_argument("--runs", type=int, default=3, help="drift runs per measurement, best kept (default 3)")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--catalog-partitions", type=int, default=3000, help="partitions of the catalog health table (default 3000)"
    )
    parser.add_argument("--catalog-only", action="store_true", help="only the catalog health figures (no apply)")
    args = parser.parse_args(argv)
    if args.catalog_only:
        with LocalAWS.start() as aws:
            cat = catalog_health_figures(aws, args.catalog_partitions)
        print(_catalog_line(cat))
        if args.json:
            args.json.write_text(json.dumps({"catalog_health": cat}, indent=2))
        return 0

    from lake.deploy import LocalLake

    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="lake-bench-drift-") as tmp, LocalAWS.start() as aws:
        tmp = Path(tmp)
        handler, layer = _artifacts(tmp)
        lake = LocalLake(aws, tmp / "lake", handler, layer)
        try:
            print("applying infra/envs/local (four layers) against moto ...", file=sys.stderr)
            lake.init()
            lake.apply()
            states = list(lake.state_paths.values())
            drift_once(aws, states, args.workers)  # warm moto's lazily built backends, as Terraform's apply did
            before = _request_count(aws)
            started = time.perf_counter()
            for name, terraform in lake.terraforms.items():  # every layer's refresh, as a nightly job would run them
                terraform.plan(out=tmp / f"refresh-{name}.tfplan", variables=lake.tf_variables(name), refresh_only=True)
            tf_seconds = time.perf_counter() - started
            tf_requests = None if before is None else _request_count(aws) - before
            lake_drift = best_of(args.runs, lambda: drift_once(aws, states, args.workers))
            judged = drift_once(aws, states, args.workers, judge=True)
            split = discovery_split(aws, states, args.workers)
            n = lake_drift["resources"]
            figures["lake"] = {
                "layers": len(states),
                "resources": n,
                "refresh_only_seconds": round(tf_seconds, 2),
                "refresh_only_requests": tf_requests,
                "drift_seconds": round(lake_drift["seconds"], 3),
                "drift_median_seconds": round(lake_drift["median_seconds"], 3),
                "drift_calls": lake_drift["calls"],
                "drift_findings": len(lake_drift["findings"]),
                "drift_with_invariant_checks_seconds": round(judged["seconds"], 3),
                "speedup_with_invariant_checks": round(tf_seconds / judged["seconds"], 1),
                "speedup_vs_refresh_only": round(tf_seconds / lake_drift["seconds"], 1),
                "calls_per_resource": round(lake_drift["calls"] / n, 2),
                **split,
            }

            print(f"generating {args.generated} resources ...", file=sys.stderr)
            state = {
                "version": 4,
                "terraform_version": "1.11.0",
                "serial": 1,
                "lineage": "bench",
                "resources": generate(aws, args.generated),
            }
            path = tmp / "generated.tfstate"
            path.write_text(json.dumps(state))
            gen = best_of(args.runs, lambda: drift_once(aws, [path], args.workers))
            if gen["findings"]:
                for f in gen["findings"][:20]:
                    print(f["kind"], f["address"], f["message"], file=sys.stderr)
                raise SystemExit(f"the generated state should be clean: {len(gen['findings'])} findings")
            print(f"catalog health on {args.catalog_partitions} partitions ...", file=sys.stderr)
            figures["catalog_health"] = catalog_health_figures(aws, args.catalog_partitions)
            g = gen["resources"]
            figures["generated"] = {
                "resources": g,
                "drift_seconds": round(gen["seconds"], 3),
                "drift_median_seconds": round(gen["median_seconds"], 3),
                "drift_calls": gen["calls"],
                "calls_per_resource": round(gen["calls"] / g, 2),
                "ms_per_resource": round(1000 * gen["seconds"] / g, 2),
                "refresh_only_ms_per_resource_on_lake": round(1000 * tf_seconds / n, 1),
                "per_resource_speedup_vs_refresh_only": round((tf_seconds / n) / (gen["seconds"] / g), 1),
            }
        finally:
            lake.close()
    lake_f, gen_f = figures["lake"], figures["generated"]
    rows = [
        (
            "drift vs refresh-only, same lake resources",
            f"{lake_f['speedup_vs_refresh_only']}x faster",
            f">= {TARGETS['speedup_vs_refresh_only']}x",
            lake_f["speedup_vs_refresh_only"] >= TARGETS["speedup_vs_refresh_only"],
        ),
        (
            "drift per resource at 500+ vs refresh-only per resource",
            f"{gen_f['per_resource_speedup_vs_refresh_only']}x faster",
            f">= {TARGETS['speedup_vs_refresh_only']}x",
            gen_f["per_resource_speedup_vs_refresh_only"] >= TARGETS["speedup_vs_refresh_only"],
        ),
        (
            "API calls per resource, generated",
            str(gen_f["calls_per_resource"]),
            f"<= {TARGETS['calls_per_resource']}",
            gen_f["calls_per_resource"] <= TARGETS["calls_per_resource"],
        ),
        (
            "API calls per resource, lake",
            str(lake_f["calls_per_resource"]),
            f"<= {TARGETS['calls_per_resource']}",
            lake_f["calls_per_resource"] <= TARGETS["calls_per_resource"],
        ),
    ]
    print(
        f"lake: {lake_f['layers']} states, {lake_f['resources']} resources | refresh-only of each"
        f" {lake_f['refresh_only_seconds']}s"
        f" ({lake_f['refresh_only_requests']} requests) | drift {lake_f['drift_seconds']}s ({lake_f['drift_calls']} calls)"
    )
    print(
        f"lake: of the scan's calls, {lake_f['read_calls']} read the managed resources and {lake_f['discovery_calls']}"
        f" search for unmanaged ones: {lake_f['discovery_calls_by_operation']}"
    )
    print(
        f"lake, invariant checks included: {lake_f['drift_with_invariant_checks_seconds']}s"
        f" ({lake_f['speedup_with_invariant_checks']}x faster than refresh-only)"
    )
    print(
        f"generated: {gen_f['resources']} resources | drift {gen_f['drift_seconds']}s ({gen_f['drift_calls']} calls,"
        f" {gen_f['ms_per_resource']} ms/resource)"
    )
    print(_catalog_line(figures["catalog_health"]))
    print("| ratio | measured | target | |\n|---|---|---|---|")
    for name, measured, target, ok in rows:
        print(f"| {name} | {measured} | {target} | {'met' if ok else 'not met'} |")
    figures["targets_met"] = all(ok for *_, ok in rows)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def _catalog_line(cat: dict) -> str:
    return (
        f"catalog health: {cat['partitions']} partitions, {cat['objects']} objects | {cat['calls_measured_on_moto']} "
        f"API calls on moto, {cat['calls_in_aws']} in AWS (pages of 1,000), vs "
        f"{cat['calls_one_per_partition_would_be']} at one call per partition | {cat['seconds']}s | found "
        f"{', '.join(cat['issues_found'])}"
    )


if __name__ == "__main__":
    sys.exit(main())
