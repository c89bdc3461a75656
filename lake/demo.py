"""``lake demo``: the whole lake on one machine, no AWS account.

moto on loopback, the policy gate, ``terraform apply`` of ``infra/envs/local``, sample uploads delivered to the
ETL through the bucket's real notification configuration, what landed in curated and quarantine, SQL over the
Glue catalog as Athena answers it -- the crawler-mode users table finds no rows for its new days until the crawl
registers their partitions, the projection-mode tweets table answers at once -- the crawl, the same query with
rows, a console-style change and the drift report that catches it, then teardown. Each step prints one line with
its status and time.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from lake.errors import LakeError
from lake.workspace import Workspace, resolve

USERS_QUERY = (
    "SELECT dt, count(*) AS users, round(avg(user_score), 2) AS avg_score FROM users_v1 GROUP BY dt ORDER BY dt"
)
DEMO_QUERIES = (
    "SELECT lang, count(*) AS tweets FROM tweets_v1 GROUP BY lang ORDER BY tweets DESC, lang LIMIT 5",
    USERS_QUERY,
)


class DemoFailed(LakeError):
    exit_code = 1


@dataclass
class Steps:
    """Runs numbered steps, one status line each: ``[ 3/11] ok    terraform apply ...   12.3s``."""

    total: int
    out: Callable[[str], None] = print
    done: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def run(self, title: str, fn: Callable[[], object]) -> object:
        self.done += 1
        started = time.monotonic()
        try:
            result = fn()
        except Exception as exc:
            elapsed = time.monotonic() - started
            self.out(f"[{self.done:2d}/{self.total}] FAIL  {title:<58} {elapsed:6.1f}s")
            detail = str(exc) if isinstance(exc, LakeError) else f"{type(exc).__name__}: {exc}"
            raise DemoFailed(f"step {self.done} ({title}) failed: {detail}") from exc
        elapsed = time.monotonic() - started
        self.timings[title] = elapsed
        self.out(f"[{self.done:2d}/{self.total}] ok    {title:<58} {elapsed:6.1f}s")
        return result


def _indent(text: str) -> str:
    return "\n".join("      " + line for line in text.rstrip("\n").splitlines())


def _outcome(inv) -> str:
    if not inv.ok:
        return f"FAILED after {inv.attempts} attempts ({inv.error}); event kept in the failure queue"
    parts = []
    for obj in (inv.result or {}).get("objects", []):
        if obj.get("unreadable"):
            parts.append(f"unreadable ({obj['unreadable']}), reported to quarantine")
        else:
            parts.append(
                f"{obj.get('records_in')} in, {obj.get('written')} written, {obj.get('quarantined')} quarantined"
            )
    return "ok: " + "; ".join(parts) if parts else "ok"


def curated_summary(s3, bucket: str, filesystem) -> dict[str, dict]:
    """Per dataset prefix: Parquet files and rows (from the footers) in curated."""
    out: dict[str, dict] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith(".parquet"):
                continue
            prefix = obj["Key"].split("/dt=")[0]
            rows = pq.read_metadata(f"{bucket}/{obj['Key']}", filesystem=filesystem).num_rows
            entry = out.setdefault(prefix, {"files": 0, "rows": 0})
            entry["files"] += 1
            entry["rows"] += rows
    return out


def quarantine_summary(s3, bucket: str) -> dict[str, int]:
    """Per quarantine object: the number of reports (NDJSON lines) it holds."""
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            out[obj["Key"]] = sum(1 for line in body.splitlines() if line.strip())
    return out


def run_demo(
    out: Callable[[str], None] = print,
    users: int = 500,
    config_dir: Path | None = None,
    keep_workdir: bool = False,
    workspace: Workspace | None = None,
) -> int:
    """The whole lake on this machine; paths from ``workspace`` (default: the checkout seen from the working
    directory), the Terraform root ``config_dir`` (default: its ``infra/envs/local``)."""
    from lake.deploy import LocalLake
    from lake.dispatcher import LocalDispatcher
    from lake.local_aws import LocalAWS, patched_environ
    from lake.query import render, run_local, s3_filesystem
    from lake.samples import demo_uploads

    ws = workspace or resolve()
    config_dir = ws.require("infra", Path(config_dir).resolve() if config_dir is not None else ws.local_env)
    steps = Steps(total=13, out=out)
    infra_dir = config_dir.parents[1]  # infra/envs/<env> -> infra/ (the gate reads envs/local's layers)
    workdir = Path(tempfile.mkdtemp(prefix="lake-demo-"))
    aws = None
    lake = None
    try:
        aws = steps.run("start the local AWS endpoint (moto server on loopback)", LocalAWS.start)
        out(f"      endpoint {aws.endpoint}")

        def build():
            from handler.build import ensure_artifacts

            return ensure_artifacts(ws.dist, ws.require("handler"), ws.require("contracts"))

        handler_zip, layer_zip = steps.run("build the Lambda artifacts (dist/)", build)

        def gate():
            from policies.api import check_hcl

            findings = check_hcl(infra_dir)
            if findings:
                raise DemoFailed("; ".join(f"{f.check_id} {f.address}: {f.message}" for f in findings[:5]))
            return findings

        steps.run(f"policy gate on {infra_dir.name}/ (every invariant, HCL)", gate)

        lake = LocalLake(aws, workdir / "tf", handler_zip, layer_zip, config_dir=config_dir)

        def deploy():
            lake.init()
            return lake.apply()

        where = config_dir.relative_to(config_dir.parents[2])
        layers = ", ".join(lake.layers) if lake.layered else "one root"
        outputs = steps.run(f"terraform init + apply {where} ({layers}, in dependency order)", deploy)
        raw, curated, quarantine = outputs["raw_bucket"], outputs["curated_bucket"], outputs["quarantine_bucket"]
        s3 = aws.client("s3")
        uploads = demo_uploads(users)

        def upload():
            for u in uploads:
                s3.put_object(Bucket=raw, Key=u.key, Body=u.body, IfNoneMatch="*")

        steps.run(f"upload {len(uploads)} sample objects to s3://{raw}/incoming/", upload)
        for u in uploads:
            kind = "unreadable" if u.unreadable else f"{u.records} records, {u.bad_records} bad"
            out(f"      {u.key} ({len(u.body):,} bytes, {kind})")

        unprocessed: list[str] = []
        dispatcher = LocalDispatcher(aws, raw, log=unprocessed.append, contracts_dir=ws.contracts)

        def dispatch():
            logs = io.StringIO()  # the handler's one JSON log line per object, as CloudWatch would get it
            with redirect_stdout(logs):
                return dispatcher.poll_once()

        invocations = steps.run("deliver S3 notifications to the ETL functions", dispatch)
        for inv in invocations:
            out(f"      {inv.function} <- {inv.key}: {_outcome(inv)}")
        for line in unprocessed:
            out(f"      {line}")

        fs = s3_filesystem(aws.endpoint, aws.region, "testing", "testing")

        def landed():
            return curated_summary(s3, curated, fs), quarantine_summary(s3, quarantine)

        cur, quar = steps.run("what landed in curated and quarantine", landed)
        expected_in = sum(u.records for u in uploads if not u.unreadable)
        written = sum(v["rows"] for v in cur.values())
        quarantined = sum(quar.values())
        for prefix, v in sorted(cur.items()):
            out(f"      curated    s3://{curated}/{prefix}/  {v['files']} file(s), {v['rows']} rows")
        for key, n in sorted(quar.items()):
            out(f"      quarantine s3://{quarantine}/{key}  {n} report(s)")
        unreadable = sum(1 for u in uploads if u.unreadable)
        out(
            f"      records uploaded {expected_in}: written {written} + quarantined {quarantined - unreadable} "
            f"(+ {unreadable} unreadable file report(s))"
        )

        def query(sqls):
            glue = aws.client("glue")
            return [render(run_local(sql, glue, fs, outputs["glue_database"]), "table") for sql in sqls]

        def show(sqls, tables):
            for sql, text in zip(sqls, tables, strict=True):
                out(f"      > {sql}")
                out(_indent(text))

        show(
            DEMO_QUERIES,
            steps.run(
                "query before any crawl: tweets_v1 (projection) answers, users_v1 (crawler) has no partition",
                lambda: query(DEMO_QUERIES),
            ),
        )

        def crawl():
            from lake.crawl import crawl as run_crawl

            lines: list[str] = []
            run_crawl(aws, database=outputs["glue_database"], out=lines.append)
            return lines

        for line in steps.run("lake crawl: the crawlers register the new dt partitions", crawl):
            out(f"      {line}")
        show((USERS_QUERY,), steps.run("the same users_v1 query after the crawl", lambda: query((USERS_QUERY,))))

        crawler = sorted(outputs["crawlers"].values())[0]

        def clickops():
            aws.client("glue").delete_crawler(Name=crawler)
            s3.put_bucket_versioning(Bucket=raw, VersioningConfiguration={"Status": "Suspended"})

        steps.run(f"console-style change: delete crawler {crawler}, suspend raw versioning", clickops)

        def drift():
            from lake.cli import main as lake_main

            buf = io.StringIO()
            with redirect_stdout(buf), patched_environ(aws.environment()):
                states = [str(p) for p in lake.state_paths.values()]
                code = lake_main(["drift", *states, "--endpoint-url", aws.endpoint])
            return code, buf.getvalue()

        code, report = steps.run("drift check: every layer's Terraform state vs live (lake drift)", drift)
        out(_indent(report))
        out(f"      lake drift exit code {code} (0 clean, 1 drift, 2 error)")

        def teardown():
            lake.close()
            aws.stop()

        steps.run("tear down (stop the endpoint, drop the local state)", teardown)
        total = sum(steps.timings.values())
        out(f"demo finished in {total:.0f}s")
        if unprocessed:
            out(f"note: {len(unprocessed)} object(s) were not processed: no notification filter matched them")
        return 0
    finally:
        if lake is not None:
            lake.close()
        if aws is not None:
            aws.stop()
        if not keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
