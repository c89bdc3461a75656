"""``lake replay DATASET --aws``: reprocess raw object versions at any scale through S3 Batch Operations.

The job's manifest is a CSV of (bucket, URL-encoded key, versionId) built from ``ListObjectVersions``, or from the
raw bucket's newest S3 Inventory report when one is configured (CSV format), filtered like the local replay
(``lake.replay.select_versions``: latest or all versions, ``--since/--until``). It is written under the artifacts
bucket's manifest prefix, and a ``LambdaInvoke`` job (invocation schema 2.0; ``userArguments.schemaVersion`` for
``--schema-version``) runs the dataset's function on every line as the batch-operations role, with a completion
report of all tasks under the report prefix. The handler answers each task (``handler/batch.py``).

Pure parts (manifest, CreateJob request, progress, cost) are functions of plain data; the AWS calls take clients
as arguments, so tests drive them with botocore's Stubber.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, unquote_plus, urlparse

from lake.errors import LakeError
from lake.replay import RawVersion, list_raw_versions, select_versions

MANIFEST_FORMAT = "S3BatchOperations_CSV_20180820"
REPORT_FORMAT = "Report_CSV_20180820"
TERMINAL = ("Complete", "Failed", "Cancelled")
SCHEMA_ARGUMENT = "schemaVersion"  # handler.batch.SCHEMA_ARGUMENT (the handler package is not imported here)

# List prices (us-east-1, x86, 2026): Lambda requests and GB-seconds; Batch Operations per job and per object.
LAMBDA_PER_REQUEST = 0.20 / 1_000_000
LAMBDA_PER_GB_SECOND = 0.0000166667
BATCH_PER_JOB = 0.25
BATCH_PER_OBJECT = 1.00 / 1_000_000
DEFAULT_MB_PER_SECOND = 50.0  # conservative handler throughput for the estimate (bench/README.md measures more)
INVOCATION_OVERHEAD_S = 0.1


class BatchReplayError(LakeError):
    """A replay job cannot be built or created as asked."""


LOCAL_ENDPOINT_MESSAGE = (
    "the local endpoint has no S3 Batch Operations: `lake replay --aws` needs an AWS account "
    "(run `lake replay DATASET` against the local lake instead)"
)


def is_local_endpoint(url: str | None) -> bool:
    host = (urlparse(url).hostname or "") if url else ""
    return host in ("localhost", "::1") or host.startswith("127.")


def refuse_local(endpoint: str | None) -> None:
    """Stop with one line when pointed at the local (moto) endpoint, which has no S3 Control jobs."""
    if is_local_endpoint(endpoint):
        raise BatchReplayError(LOCAL_ENDPOINT_MESSAGE)


# --------------------------------------------------------------------------- pure: manifest and request


def manifest_csv(bucket: str, versions: Iterable[RawVersion]) -> bytes:
    """The Batch Operations CSV manifest: ``bucket,key,versionId`` per line, keys URL-encoded as S3 requires."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for v in versions:
        writer.writerow([bucket, quote(v.key, safe="/"), v.version_id or ""])
    return out.getvalue().encode("utf-8")


def client_token(function_arn: str, schema_version: int | None, manifest: bytes) -> str:
    """The CreateJob idempotency token: the same replay asked twice creates one job."""
    digest = hashlib.sha256(f"{function_arn}\n{schema_version}\n".encode() + manifest).hexdigest()
    return digest[:64]


def account_of(arn: str) -> str:
    parts = arn.split(":")
    if len(parts) < 6 or not parts[4].isdigit():
        raise BatchReplayError(f"{arn!r} is not an ARN with an account id")
    return parts[4]


def create_job_request(
    *,
    function_arn: str,
    role_arn: str,
    artifacts_bucket: str,
    manifest_key: str,
    manifest_etag: str,
    report_prefix: str,
    token: str,
    description: str,
    schema_version: int | None = None,
    priority: int = 10,
) -> dict:
    """The ``s3control.create_job`` arguments of a replay job."""
    lambda_invoke: dict = {"FunctionArn": function_arn, "InvocationSchemaVersion": "2.0"}
    if schema_version is not None:
        lambda_invoke["UserArguments"] = {SCHEMA_ARGUMENT: str(schema_version)}
    bucket_arn = f"arn:aws:s3:::{artifacts_bucket}"
    return {
        "AccountId": account_of(role_arn),
        "ConfirmationRequired": False,
        "Operation": {"LambdaInvoke": lambda_invoke},
        "Report": {
            "Bucket": bucket_arn,
            "Format": REPORT_FORMAT,
            "Enabled": True,
            "Prefix": report_prefix.rstrip("/"),
            "ReportScope": "AllTasks",
        },
        "ClientRequestToken": token,
        "Manifest": {
            "Spec": {"Format": MANIFEST_FORMAT, "Fields": ["Bucket", "Key", "VersionId"]},
            "Location": {"ObjectArn": f"{bucket_arn}/{manifest_key}", "ETag": manifest_etag},
        },
        "Description": description[:256],
        "Priority": priority,
        "RoleArn": role_arn,
    }


@dataclass(frozen=True)
class Estimate:
    objects: int
    bytes: int
    manifest_bytes: int
    lambda_usd: float
    batch_usd: float

    def lines(self) -> list[str]:
        return [
            f"manifest: {self.objects} object version(s), {self.bytes / 1e6:.1f} MB of raw data, "
            f"{self.manifest_bytes} bytes of CSV",
            f"estimated cost: Lambda ${self.lambda_usd:.4f} + Batch Operations ${self.batch_usd:.4f} "
            f"= ${self.lambda_usd + self.batch_usd:.4f} (list prices, us-east-1)",
        ]


def estimate(
    versions: list[RawVersion], manifest: bytes, memory_mb: int, mb_per_second: float = DEFAULT_MB_PER_SECOND
) -> Estimate:
    """Lambda requests + GB-seconds (each object takes overhead + size / throughput) and the Batch job fees."""
    total = sum(v.size for v in versions)
    seconds = len(versions) * INVOCATION_OVERHEAD_S + total / (mb_per_second * 1e6)
    lambda_usd = len(versions) * LAMBDA_PER_REQUEST + seconds * (memory_mb / 1024) * LAMBDA_PER_GB_SECOND
    batch_usd = BATCH_PER_JOB + len(versions) * BATCH_PER_OBJECT
    return Estimate(len(versions), total, len(manifest), lambda_usd, batch_usd)


@dataclass(frozen=True)
class JobProgress:
    status: str
    total: int
    succeeded: int
    failed: int

    @classmethod
    def of(cls, job: dict) -> JobProgress:
        summary = job.get("ProgressSummary") or {}
        return cls(
            job.get("Status", "Unknown"),
            int(summary.get("TotalNumberOfTasks", 0)),
            int(summary.get("NumberOfTasksSucceeded", 0)),
            int(summary.get("NumberOfTasksFailed", 0)),
        )

    @property
    def done(self) -> bool:
        return self.status in TERMINAL


def report_location(job: dict) -> str | None:
    """Where the completion report of a job lands (``<prefix>/job-<id>/``)."""
    report = job.get("Report") or {}
    if not report.get("Enabled") or not report.get("Bucket"):
        return None
    bucket = report["Bucket"].split(":::", 1)[-1]
    prefix = (report.get("Prefix") or "").strip("/")
    return f"s3://{bucket}/{prefix + '/' if prefix else ''}job-{job.get('JobId')}/"


# --------------------------------------------------------------------------- S3 Inventory


def _inventory_rows(manifest: dict, read: Callable[[str], bytes]) -> Iterable[dict]:
    if manifest.get("fileFormat") != "CSV":
        raise BatchReplayError(
            f"S3 Inventory format {manifest.get('fileFormat')!r} is not supported (CSV only): "
            "use `--list` to list versions instead"
        )
    fields = [f.strip() for f in manifest["fileSchema"].split(",")]
    for entry in manifest.get("files", []):
        data = gzip.decompress(read(entry["key"]))
        for row in csv.reader(io.StringIO(data.decode("utf-8"))):
            yield dict(zip(fields, row, strict=False))


def inventory_versions(manifest: dict, read: Callable[[str], bytes]) -> list[RawVersion]:
    """Raw versions from an S3 Inventory report (``manifest.json`` and its CSV files, keys URL-encoded)."""
    out = []
    for row in _inventory_rows(manifest, read):
        if row.get("IsDeleteMarker") == "true":
            continue
        out.append(
            RawVersion(
                unquote_plus(row["Key"]),
                row.get("VersionId") or None,
                int(row.get("Size") or 0),
                row.get("ETag", ""),
                row.get("IsLatest", "true") == "true",
                row.get("LastModifiedDate"),
            )
        )
    return out


def latest_inventory(s3, bucket: str) -> tuple[str, str, dict] | None:
    """(destination bucket, manifest key, configuration) of the newest CSV inventory of ``bucket``, or None."""
    configs = s3.list_bucket_inventory_configurations(Bucket=bucket).get("InventoryConfigurationList", [])
    for config in configs:
        dest = config.get("Destination", {}).get("S3BucketDestination", {})
        if not config.get("IsEnabled") or dest.get("Format") != "CSV":
            continue
        dest_bucket = dest["Bucket"].split(":::", 1)[-1]
        base = "/".join(p for p in (dest.get("Prefix", "").strip("/"), bucket, config["Id"]) if p) + "/"
        keys = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=dest_bucket, Prefix=base):
            keys += [o["Key"] for o in page.get("Contents", []) if o["Key"].endswith("/manifest.json")]
        if keys:
            return dest_bucket, max(keys), config
    return None


def raw_versions(s3, bucket: str, dataset: str, all_versions: bool, use_inventory: bool = True) -> tuple[list, str]:
    """Every raw version of the dataset and where they came from (inventory report or listing)."""
    found = latest_inventory(s3, bucket) if use_inventory else None
    if found is not None:
        dest_bucket, key, config = found
        if all_versions and config.get("IncludedObjectVersions") != "All":
            raise BatchReplayError(
                f"the S3 Inventory {config['Id']!r} of {bucket} lists current versions only: "
                "--all-versions needs IncludedObjectVersions=All, or `--list`"
            )
        manifest = json.loads(s3.get_object(Bucket=dest_bucket, Key=key)["Body"].read())
        versions = inventory_versions(manifest, lambda k: s3.get_object(Bucket=dest_bucket, Key=k)["Body"].read())
        prefix = f"incoming/{dataset}/"
        return [v for v in versions if v.key.startswith(prefix)], f"S3 Inventory s3://{dest_bucket}/{key}"
    return list_raw_versions(s3, bucket, dataset), "ListObjectVersions"


# --------------------------------------------------------------------------- the job


def plain_outputs(outputs: dict) -> dict:
    """``terraform output -json`` ({name: {value, type, sensitive}}) as plain values; plain values pass through."""
    return {
        k: v["value"] if isinstance(v, dict) and "value" in v and "sensitive" in v else v for k, v in outputs.items()
    }


@dataclass(frozen=True)
class ReplayTarget:
    """What a replay needs from the deployed lake (``terraform output``)."""

    raw_bucket: str
    artifacts_bucket: str
    function_arn: str
    role_arn: str
    manifest_prefix: str
    report_prefix: str

    @classmethod
    def from_outputs(cls, outputs: dict, dataset: str) -> ReplayTarget:
        value = plain_outputs(outputs).get
        function = (value("functions") or {}).get(dataset)
        replay = value("replay")
        missing = [n for n in ("raw_bucket", "artifacts_bucket") if not value(n)]
        if not replay:
            missing.append("replay")
        if missing:
            raise BatchReplayError(f"the Terraform outputs have no {', '.join(missing)}: apply the lake first")
        if not function:
            raise BatchReplayError(f"dataset {dataset!r} has no function in the Terraform outputs")
        return cls(
            value("raw_bucket"),
            value("artifacts_bucket"),
            function["arn"],
            replay["role_arn"],
            replay["manifest_prefix"],
            replay["report_prefix"],
        )


@dataclass
class Plan:
    versions: list[RawVersion]
    source: str
    manifest: bytes
    manifest_key: str
    token: str


def plan_replay(
    s3,
    target: ReplayTarget,
    dataset: str,
    schema_version: int | None = None,
    all_versions: bool = False,
    since: date | None = None,
    until: date | None = None,
    use_inventory: bool = True,
) -> Plan:
    versions, source = raw_versions(s3, target.raw_bucket, dataset, all_versions, use_inventory)
    chosen = select_versions(versions, dataset, all_versions, since, until)
    if not chosen:
        raise BatchReplayError(f"no raw object of {dataset!r} matches (source: {source}); nothing to replay")
    manifest = manifest_csv(target.raw_bucket, chosen)
    token = client_token(target.function_arn, schema_version, manifest)
    key = f"{target.manifest_prefix}{dataset}/{token[:16]}.csv"
    return Plan(chosen, source, manifest, key, token)


def start_job(s3, s3control, target: ReplayTarget, plan: Plan, dataset: str, schema_version: int | None) -> str:
    """Upload the manifest and create the job; returns the job id."""
    put = s3.put_object(
        Bucket=target.artifacts_bucket, Key=plan.manifest_key, Body=plan.manifest, ContentType="text/csv"
    )
    into = f" into schema {schema_version}" if schema_version is not None else ""
    request = create_job_request(
        function_arn=target.function_arn,
        role_arn=target.role_arn,
        artifacts_bucket=target.artifacts_bucket,
        manifest_key=plan.manifest_key,
        manifest_etag=put["ETag"].strip('"'),
        report_prefix=target.report_prefix,
        token=plan.token,
        description=f"lake replay {dataset}{into}: {len(plan.versions)} object version(s)",
        schema_version=schema_version,
    )
    return s3control.create_job(**request)["JobId"]


def follow_job(
    s3control,
    account_id: str,
    job_id: str,
    progress: Callable[[JobProgress], None] = lambda _p: None,
    interval: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    max_polls: int | None = None,
) -> tuple[JobProgress, dict]:
    """Poll DescribeJob until the job ends; returns its last progress and description."""
    polls = 0
    while True:
        job = s3control.describe_job(AccountId=account_id, JobId=job_id)["Job"]
        current = JobProgress.of(job)
        progress(current)
        polls += 1
        if current.done or (max_polls is not None and polls >= max_polls):
            return current, job
        sleep(interval)


def summary_lines(current: JobProgress, job: dict) -> list[str]:
    lines = [
        f"job {job.get('JobId')} {current.status}: {current.succeeded} task(s) succeeded, {current.failed} failed "
        f"of {current.total}"
    ]
    location = report_location(job)
    if location:
        lines.append(f"completion report: {location}")
    for reason in job.get("FailureReasons") or []:
        lines.append(f"  failure: {reason.get('FailureCode')}: {reason.get('FailureReason')}")
    return lines
