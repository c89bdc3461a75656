"""``lake`` subcommands that belong to no single package: infrastructure checks and the local lake."""

from __future__ import annotations

import argparse
import faulthandler
import shutil
import signal
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from lake.errors import LakeError
from lake.migrate import register as register_migrate_state
from lake.workspace import from_args


def register(subparsers) -> None:
    infra = subparsers.add_parser("infra", help="terraform fmt -check and validate of every root")
    infra_sub = infra.add_subparsers(dest="infra_command", metavar="ACTION")
    infra_sub.required = True
    check = infra_sub.add_parser("check", help="terraform fmt -check and validate (no credentials needed)")
    check.add_argument("--infra", type=Path, help="the infra directory (default: the checkout's infra/)")
    check.set_defaults(func=cmd_infra_check)
    register_migrate_state(infra_sub)

    demo = subparsers.add_parser("demo", help="run the whole lake on this machine, end to end, then tear it down")
    demo.add_argument("--users", type=int, default=500, help="generated user records to upload (default 500)")
    demo.add_argument(
        "--config-dir", type=Path, help="Terraform root to apply (default: the checkout's infra/envs/local)"
    )
    demo.set_defaults(func=cmd_demo)

    up = subparsers.add_parser("up", help="start a local lake and keep it running (Ctrl-C stops it)")
    up.add_argument("--endpoint", help="use this running moto endpoint instead of starting one")
    up.add_argument("--port", type=int, help="port for the moto server (default: a free one)")
    up.add_argument("--duplicate", action="store_true", help="deliver every S3 event twice (at-least-once test)")
    up.add_argument("--once", action="store_true", help="apply, process what is in raw, print, and exit")
    up.add_argument(
        "--crawl-after-etl",
        action="store_true",
        help="run the crawlers after each ETL batch (default: on their cron schedule, as Glue does)",
    )
    up.set_defaults(func=cmd_up)

    query = subparsers.add_parser("query", help="run SQL: DuckDB over the local lake, or Athena on AWS")
    query.add_argument("sql")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument("--endpoint", help="local endpoint (default: the running `lake up`)")
    query.add_argument("--database", help="Glue database (default: from `lake up`)")
    query.add_argument("--athena", action="store_true", help="run in Athena with the current AWS credentials")
    query.add_argument("--workgroup", help="Athena workgroup (with --athena)")
    query.set_defaults(func=cmd_query)

    crawl = subparsers.add_parser(
        "crawl", help="run the Glue crawlers locally: register new dt partitions, log schema differences"
    )
    crawl.add_argument("dataset", nargs="?", help="crawl only this dataset's tables (default: every crawler)")
    crawl.add_argument("--endpoint", help="local endpoint (default: the running `lake up`)")
    crawl.add_argument("--database", help="Glue database (default: from `lake up`)")
    crawl.add_argument("--format", choices=("text", "json"), default="text")
    crawl.set_defaults(func=cmd_crawl)

    replay = subparsers.add_parser("replay", help="reprocess raw objects, or redrive the on-failure queue")
    replay.add_argument("dataset", nargs="?", help="dataset to reprocess (omit with --redrive)")
    replay.add_argument("--schema-version", type=int, help="write under this contract version (default: current)")
    replay.add_argument("--all-versions", action="store_true", help="every raw object version, not only the latest")
    replay.add_argument("--since", type=date.fromisoformat, help="first upload date (YYYY-MM-DD, from the key)")
    replay.add_argument("--until", type=date.fromisoformat, help="last upload date (YYYY-MM-DD)")
    replay.add_argument("--redrive", action="store_true", help="re-run the events kept in the failure queue")
    replay.add_argument("--endpoint", help="local endpoint (default: the running `lake up`)")
    replay.set_defaults(func=cmd_replay)
    aws = replay.add_argument_group("in AWS (--aws): an S3 Batch Operations job")
    aws.add_argument("--aws", action="store_true", help="replay in the AWS account through S3 Batch Operations")
    aws.add_argument(
        "--outputs", type=Path, help="`terraform output -json` of the lake (default: run it in --config-dir)"
    )
    aws.add_argument(
        "--config-dir", type=Path, default=Path("infra/envs/aws"), help="Terraform root (default: %(default)s)"
    )
    aws.add_argument("--dry-run", action="store_true", help="print the manifest's size and the estimated cost only")
    aws.add_argument("--no-wait", action="store_true", help="print the job id and return without following it")
    aws.add_argument("--list", action="store_true", help="list versions even when an S3 Inventory is configured")

    status = subparsers.add_parser("status", help="the lake's health: lag, failure queue, quarantine, crawlers, alarms")
    status.add_argument("--endpoint", help="local endpoint (default: the running `lake up`)")
    status.add_argument("--aws", action="store_true", help="the lake in the AWS account (current credentials)")
    status.add_argument("--outputs", type=Path, help="`terraform output -json` of the lake (default: `lake up`'s)")
    status.add_argument("--config-dir", type=Path, default=Path("infra/envs/aws"), help="with --aws: Terraform root")
    status.add_argument("--format", choices=("table", "json"), default="table")
    status.add_argument("--max-lag", type=float, default=3600.0, help="seconds raw may be ahead of curated (3600)")
    status.set_defaults(func=cmd_status)


def cmd_infra_check(args: argparse.Namespace) -> int:
    from lake.infra_check import check_infra

    results = check_infra(from_args(args).require("infra"), progress=lambda msg: print(f"  {msg}", flush=True))
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"FAIL {r.path}: {r.detail}", file=sys.stderr)
    print(f"infra check: {len(results) - len(failed)} ok, {len(failed)} failed")
    return 1 if failed else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from lake.demo import run_demo

    return run_demo(
        out=lambda line: print(line, flush=True),
        users=args.users,
        config_dir=args.config_dir,
        workspace=from_args(args),
    )


def _session_or(endpoint: str | None) -> tuple[str, dict]:
    from lake import session

    current = session.load()
    if endpoint:
        return endpoint, (current or {}).get("outputs", {}) if current and current.get("endpoint") == endpoint else {}
    if not current:
        raise LakeError("no local lake is running: start one with `lake up`, pass --endpoint, or use --athena")
    return current["endpoint"], current.get("outputs", {})


def cmd_query(args: argparse.Namespace) -> int:
    from lake import query

    if args.athena:
        import boto3

        if not (args.workgroup and args.database):
            raise LakeError("--athena needs --workgroup and --database (see `terraform output` of your environment)")
        result = query.run_athena(args.sql, boto3.client("athena"), args.workgroup, args.database)
    else:
        from lake.local_aws import LocalAWS

        endpoint, outputs = _session_or(args.endpoint)
        database = args.database or outputs.get("glue_database")
        if not database:
            raise LakeError("--database is required (no `lake up` session names it)")
        aws = LocalAWS.attach(endpoint)
        fs = query.s3_filesystem(aws.endpoint, aws.region, "testing", "testing")
        result = query.run_local(args.sql, aws.client("glue"), fs, database)
    print(query.render(result, args.format))
    if args.format != "table":
        for note in result.notes:
            print(note, file=sys.stderr)
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    from lake import session
    from lake.crawl import MetricsStore, crawl, summaries_json
    from lake.local_aws import LocalAWS

    endpoint, outputs = _session_or(args.endpoint)
    current = session.load() or {}
    metrics = None
    if current.get("endpoint") == endpoint and current.get("workdir"):
        metrics = MetricsStore(Path(current["workdir"]) / "crawler-metrics.json")
    text = args.format == "text"
    summaries = crawl(
        LocalAWS.attach(endpoint),
        database=args.database or outputs.get("glue_database"),
        dataset=args.dataset,
        metrics=metrics,
        out=(lambda line: print(line, flush=True)) if text else (lambda _line: None),
    )
    if not text:
        print(summaries_json(summaries))
    return 0


def _progress(label: str):
    if not sys.stderr.isatty():
        return lambda _done, _total: None
    from rich.progress import Progress

    bar = Progress(transient=True)
    bar.start()
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)
        if done >= total:
            bar.stop()

    return update


def cmd_replay(args: argparse.Namespace) -> int:
    if args.aws:
        from lake.batch_cli import cmd_replay_aws

        return cmd_replay_aws(args)
    from lake.dispatcher import LocalDispatcher
    from lake.local_aws import LocalAWS
    from lake.replay import redrive, replay_dataset

    endpoint, outputs = _session_or(args.endpoint)
    aws = LocalAWS.attach(endpoint)
    raw = outputs.get("raw_bucket")
    if not raw:
        raise LakeError("the running lake's outputs name no raw bucket; restart it with `lake up`")
    dispatcher = LocalDispatcher(aws, raw, contracts_dir=from_args(args).require("contracts"))
    if args.redrive:
        summary = redrive(dispatcher, outputs["failure_queue_url"], progress=_progress("redrive"))
    else:
        if not args.dataset:
            raise LakeError("name the dataset to replay (or use --redrive)")
        function = (outputs.get("functions") or {}).get(args.dataset, {}).get("name")
        if not function:
            raise LakeError(f"dataset {args.dataset!r} has no function in the running lake")
        summary = replay_dataset(
            dispatcher,
            function,
            args.dataset,
            args.schema_version,
            args.all_versions,
            args.since,
            args.until,
            progress=_progress(f"replay {args.dataset}"),
        )
    print(summary.line())
    for failure in summary.failed:
        print(f"  failed: {failure}", file=sys.stderr)
    return 1 if summary.failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    from lake import status
    from lake.batch_replay import plain_outputs

    if args.aws:
        import boto3

        from lake.batch_cli import load_outputs

        outputs, clients = load_outputs(args.outputs, args.config_dir), boto3.client
    else:
        from lake.local_aws import LocalAWS

        endpoint, outputs = _session_or(args.endpoint)
        if args.outputs:
            from lake.batch_cli import load_outputs

            outputs = load_outputs(args.outputs, args.config_dir)
        if not outputs.get("raw_bucket"):
            raise LakeError("no lake outputs: pass --outputs (terraform output -json) or start the lake with `lake up`")
        clients = LocalAWS.attach(endpoint).client
    outputs = plain_outputs(outputs)
    report = status.judge(status.collect(clients, outputs), args.max_lag)
    print(status.render_json(report) if args.format == "json" else status.render_table(report), end="")
    return 0 if report.healthy else 1


def handle_stop_signals() -> None:
    """A long-running command stops on SIGTERM as on Ctrl-C (a process manager's stop: its cleanup runs, the local
    endpoint stops with it), and prints every thread's stack on SIGUSR1 (``kill -USR1 <pid>``: where it is when it
    seems stuck) and goes on."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored (`lake up &`)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)


def cmd_up(args: argparse.Namespace) -> int:
    from handler.build import ensure_artifacts
    from lake import session
    from lake.crawl import LocalCrawlers
    from lake.deploy import LocalLake
    from lake.dispatcher import LocalDispatcher
    from lake.local_aws import LocalAWS

    handle_stop_signals()
    aws = LocalAWS.attach(args.endpoint) if args.endpoint else LocalAWS.start(port=args.port)
    workdir = Path(tempfile.mkdtemp(prefix="lake-up-"))
    try:
        print(f"local AWS endpoint: {aws.endpoint}", flush=True)
        ws = from_args(args)
        handler_zip, layer_zip = ensure_artifacts(ws.dist, ws.require("handler"), ws.require("contracts"))
        lake = LocalLake(aws, workdir, handler_zip, layer_zip, config_dir=ws.require("infra", ws.local_env))
        lake.init()
        outputs = lake.apply()
        session.save(aws.endpoint, outputs, workdir, lake.state_paths)
        raw = outputs["raw_bucket"]
        states = " ".join(str(p) for p in lake.state_paths.values())
        print(
            f"lake applied ({len(lake.layers)} layer(s): {', '.join(lake.layers) or 'one root'}); raw bucket s3://{raw}",
            flush=True,
        )
        print("use it from another terminal:", flush=True)
        print(
            f"  export AWS_ENDPOINT_URL={aws.endpoint} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
            f"AWS_DEFAULT_REGION={aws.region}"
        )
        print(f"  aws s3 cp my.json s3://{raw}/incoming/users/2024/05/01/my.json")
        print("  lake query 'SELECT count(*) FROM users_v1'")
        print(f"  lake drift {states} --endpoint-url {aws.endpoint}", flush=True)
        print(
            "  crawlers run "
            + ("after each ETL batch" if args.crawl_after_etl else "on their schedule (or now: `lake crawl`)"),
            flush=True,
        )
        dispatcher = LocalDispatcher(
            aws,
            raw,
            duplicate=args.duplicate,
            log=lambda m: print(f"  {m}", flush=True),
            contracts_dir=ws.contracts,
        )
        crawler = LocalCrawlers(aws, outputs["glue_database"], workdir / "crawler-metrics.json")
        while True:
            invocations = dispatcher.poll_once()
            for inv in invocations:
                status = "ok" if inv.ok else f"FAILED ({inv.error}); event sent to the failure queue"
                print(f"  {inv.function} <- {inv.key}: {status}", flush=True)
            if args.crawl_after_etl and invocations:
                crawler.run()
            elif not args.crawl_after_etl:
                crawler.run_scheduled()
            if args.once:
                return 0
            time.sleep(1.0)
    except KeyboardInterrupt:
        print("stopping the local lake", flush=True)
        return 0
    finally:
        session.clear()
        aws.stop()
        shutil.rmtree(workdir, ignore_errors=True)
