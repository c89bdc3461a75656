"""`lake up` as a user runs it: a long-lived local lake that processes uploads and answers queries."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import boto3
import pytest

from lake.samples import users_ndjson

pytestmark = pytest.mark.e2e


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))


def _wait_for(lines: queue.Queue, seen: list[str], needle: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"{needle!r} not seen within {timeout}s; output so far:\n" + "\n".join(seen))


def _drain(lines: queue.Queue, seen: list[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.2))
        except queue.Empty:
            continue


def test_lake_up_processes_uploads_crawls_after_the_batch_and_answers_queries(tmp_path):
    env = {**os.environ, "LAKE_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lake", "up", "--crawl-after-etl"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        endpoint = _wait_for(lines, seen, "local AWS endpoint: ", 60).split(": ", 1)[1]
        _wait_for(lines, seen, "use it from another terminal", 400)
        session = json.loads((tmp_path / "session.json").read_text())
        assert session["endpoint"] == endpoint

        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        body, _ = users_ndjson(30, seed=5)
        key = "incoming/users/2024/05/01/from the cli.json"
        s3.put_object(Bucket=session["outputs"]["raw_bucket"], Key=key, Body=body, IfNoneMatch="*")
        line = _wait_for(lines, seen, f"<- {key}", 60)
        assert line.strip().startswith("lake-local-etl-users <- ") and line.endswith(": ok"), line
        crawled = _wait_for(lines, seen, "-> users_v1: ", 60)  # --crawl-after-etl: the batch's partitions registered
        assert "partition(s) added" in crawled and "0 partition(s) added" not in crawled, crawled

        query = subprocess.run(
            [sys.executable, "-m", "lake", "query", "SELECT count(*) AS n FROM users_v1", "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert query.returncode == 0, query.stderr
        assert json.loads(query.stdout) == [{"n": 30}]
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGUSR1)  # lake up prints every thread's stack: where it did not stop
            _drain(lines, seen, 3)
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError(
                "lake up did not stop within 60 s of Ctrl-C; its output:\n" + "\n".join(seen)
            ) from None
    assert proc.returncode == 0, "\n".join(seen)
    assert not (tmp_path / "session.json").exists()
