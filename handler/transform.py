"""One raw object's bytes -> staged curated Parquet (per dt) + quarantine report. No AWS here.

``transform`` reads byte blocks (from S3 or a local file), sniffs the format, routes NDJSON through the
vectorised path chunk by chunk and whole documents through the per-record validator, and stages everything
in a directory. Its result balances: ``records_in == written + quarantined``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyarrow as pa

from handler.decode import BLANK, Payload, Unreadable, parse_document, sniff
from handler.fast import ChunkResult, judge_line, process_chunk
from handler.forecast import Forecast
from handler.plan import Plan
from handler.records import Rejection, judge, rows_to_table
from handler.sink import PartitionWriter, QuarantineWriter

CHUNK_BYTES = 8 << 20  # bounded memory: peak RSS stays under 3x the input with bad lines
DOCUMENT_BATCH = 10_000

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Staged:
    """What one object produced, before publishing."""

    records_in: int = 0
    written: int = 0
    quarantined: int = 0
    partitions: dict[str, Path] = field(default_factory=dict)  # dt -> staged Parquet file
    rows_per_partition: dict[str, int] = field(default_factory=dict)
    quarantine_file: Path | None = None
    unreadable: str | None = None  # reason the object as a whole could not be read
    format: str | None = None
    isolated_chunks: int = 0

    @property
    def balanced(self) -> bool:
        return self.records_in == self.written + self.quarantined


def transform(
    blocks: Iterable[bytes],
    plan: Plan,
    workdir: Path,
    raw_key: str,
    version_id: str | None,
    chunk_bytes: int = CHUNK_BYTES,
    fast: bool = True,
) -> Staged:
    """Stage the outputs of one object in ``workdir``. ``fast=False`` forces the per-record path (for tests)."""
    workdir = Path(workdir)
    parts = PartitionWriter(workdir, plan.file_schema)
    quarantine = QuarantineWriter(workdir / "quarantine.ndjson", raw_key, version_id)
    staged = Staged()
    try:
        payload = Payload.open(blocks)
        staged.format = sniff(payload, plan.contract.records_path)
        if staged.format == "document":
            data = payload.read_all()
            try:
                document = parse_document(data, plan.contract.records_path)
            except Unreadable:
                retry = Payload([data])
                if retry.second_line() is None or not _is_json_line(retry.second_line()):
                    raise
                staged.format = "ndjson"
                _run_ndjson(retry, plan, parts, quarantine, staged, chunk_bytes, fast)
            else:
                _run_document(document.records, plan, parts, quarantine, staged)
        else:
            _run_ndjson(payload, plan, parts, quarantine, staged, chunk_bytes, fast)
    except Unreadable as exc:
        parts.abort()
        quarantine.close()
        for path in workdir.glob("*"):
            path.unlink()
        return Staged(unreadable=str(exc), format=staged.format)
    except BaseException:
        parts.abort()
        quarantine.close()
        raise
    staged.partitions = parts.close()
    staged.rows_per_partition = dict(sorted(parts.rows.items()))
    staged.written = sum(parts.rows.values())
    staged.quarantine_file = quarantine.close()
    staged.quarantined = quarantine.count
    return staged


def _is_json_line(line: bytes) -> bool:
    from handler.decode import looks_like_json_value

    return looks_like_json_value(line)


def _run_document(records: list, plan: Plan, parts, quarantine, staged: Staged) -> None:
    rows: list[dict] = []
    for index, record in enumerate(records):
        staged.records_in += 1
        verdict = judge(record, ("index", index), plan)
        if isinstance(verdict, Rejection):
            quarantine.add(verdict)
        else:
            rows.append(verdict)
            if len(rows) >= DOCUMENT_BATCH:
                parts.write(rows_to_table(rows, plan))
                rows = []
    if rows:
        parts.write(rows_to_table(rows, plan))


def _run_ndjson(payload: Payload, plan: Plan, parts, quarantine, staged: Staged, chunk_bytes: int, fast: bool) -> None:
    chunks = payload.line_chunks(chunk_bytes)
    if not (fast and plan.read_schema is not None):
        first_line = 1
        for chunk in chunks:
            first_line = _run_lines(chunk, first_line, plan, parts, quarantine, staged)
        return
    for result in ahead(chunks, _ChunkReader(plan)):
        result.complete()  # the validator's share runs here while the worker reads the next chunk
        staged.isolated_chunks += int(result.isolated)
        staged.records_in += result.records_in
        for rejection in result.rejections:
            quarantine.add(rejection)
        if result.tables:
            parts.write(pa.concat_tables(result.tables) if len(result.tables) > 1 else result.tables[0])


class _ChunkReader:
    """``process_chunk`` over an object's chunks, called in chunk order (one worker thread)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.previous_isolated = False
        self.first_line = 1
        self.forecast = Forecast()  # what this object's refusals so far predict about the next chunks

    def __call__(self, chunk: bytes) -> ChunkResult:
        # After a dirty chunk, skip the optimistic whole-chunk read: it would most likely fail again.
        whole_first = not self.previous_isolated
        result = process_chunk(chunk, self.first_line, self.plan, whole_first, defer=True, forecast=self.forecast)
        self.previous_isolated = result.isolated and (result.refused > 0 or bool(result.rejections))
        self.first_line += result.lines
        return result


def ahead(items: Iterable[T], work: Callable[[T], R]) -> Iterator[R]:
    """``map(work, items)`` with ``work`` of item k+1 running on one worker thread while the caller uses result k.

    Results come in item order and ``work`` is called in item order, one call at a time, so a stateful ``work`` sees
    the same sequence as a plain loop. At most two items are in flight (memory stays bounded). An exception from
    ``items``, ``work`` or the caller stops the worker after its current call and propagates.
    """
    pending: deque[Future[R]] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chunk") as pool:
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) > 1:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _run_lines(chunk: bytes, first_line: int, plan: Plan, parts, quarantine, staged: Staged) -> int:
    """Judge every line of ``chunk`` on its own; returns the number of the line after it."""
    rows = []
    lines = chunk.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    for offset, line in enumerate(lines):
        if not line.strip(BLANK):
            continue
        staged.records_in += 1
        verdict = judge_line(line, first_line + offset, plan)
        if isinstance(verdict, Rejection):
            quarantine.add(verdict)
        else:
            rows.append(verdict)
    if rows:
        parts.write(rows_to_table(rows, plan))
    return first_line + len(lines)
