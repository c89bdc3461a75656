"""``lake replay DATASET --aws``: the command around ``lake.batch_replay`` (clients, outputs, progress, printing)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from lake.batch_replay import (
    BatchReplayError,
    JobProgress,
    ReplayTarget,
    account_of,
    estimate,
    follow_job,
    plan_replay,
    refuse_local,
    start_job,
    summary_lines,
)


def load_outputs(outputs: Path | None, config_dir: Path) -> dict:
    if outputs is not None:
        try:
            return json.loads(outputs.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BatchReplayError(f"{outputs}: cannot read Terraform outputs: {exc}") from None
    from lake.terraform import Terraform

    return Terraform(config_dir).output()


def _bar() -> Callable[[JobProgress], None]:
    if not sys.stderr.isatty():
        return lambda p: None
    from rich.progress import Progress

    bar = Progress(transient=True)
    bar.start()
    task = bar.add_task("replay job", total=None)

    def update(p: JobProgress) -> None:
        bar.update(task, completed=p.succeeded + p.failed, total=p.total or None, description=p.status)
        if p.done:
            bar.stop()

    return update


def run_replay_aws(args: argparse.Namespace, clients: dict, outputs: dict, out=print, sleep=None) -> int:
    """The command's body with its clients given (``s3``, ``s3control``, ``lambda``): what the tests drive."""
    target = ReplayTarget.from_outputs(outputs, args.dataset)
    plan = plan_replay(
        clients["s3"], target, args.dataset, args.schema_version, args.all_versions, args.since, args.until,
        use_inventory=not args.list,
    )  # fmt: skip
    out(f"{len(plan.versions)} object version(s) of {args.dataset} from {plan.source}")
    if args.dry_run:
        memory = clients["lambda"].get_function_configuration(FunctionName=target.function_arn)["MemorySize"]
        for line in estimate(plan.versions, plan.manifest, memory).lines():
            out(line)
        return 0
    job_id = start_job(clients["s3"], clients["s3control"], target, plan, args.dataset, args.schema_version)
    out(f"job id: {job_id} (manifest s3://{target.artifacts_bucket}/{plan.manifest_key})")
    if args.no_wait:
        return 0
    kwargs = {"sleep": sleep} if sleep else {}
    current, job = follow_job(clients["s3control"], account_of(target.role_arn), job_id, _bar(), **kwargs)
    for line in summary_lines(current, job):
        out(line)
    return 0 if current.status == "Complete" and current.failed == 0 else 1


def cmd_replay_aws(args: argparse.Namespace) -> int:
    if args.redrive:
        raise BatchReplayError(
            "--redrive re-runs the failure queue locally; in AWS use the queue's redrive or --aws DATASET"
        )
    if not args.dataset:
        raise BatchReplayError("name the dataset to replay with --aws")
    refuse_local(args.endpoint or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"))
    import boto3

    outputs = load_outputs(args.outputs, args.config_dir)
    clients = {name: boto3.client(name) for name in ("s3", "s3control", "lambda")}
    return run_replay_aws(args, clients, outputs)
