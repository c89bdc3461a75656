"""One raw object's bytes -> staged curated Parquet (per dt) + quarantine report. No AWS here.

``transform`` reads byte blocks (from S3 or a local file), sniffs the format and routes every shape through
the vectorised path chunk by chunk: NDJSON as it is, documents (an array, an object, records_path) split into
one line per record as they stream (``handler.elements``), each record judged as the same NDJSON line would be.
It stages everything in a directory. Its result balances: ``records_in == written + quarantined``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain
from os import environ
from pathlib import Path
from typing import TypeVar

import pyarrow as pa

from handler import ARROW_POOL, MEMORY_POOL
from handler.blob import line_count
from handler.decode import BLANK, Payload, Unreadable, parse_document, sniff
from handler.elements import DocumentSplitter, Flaw, NotAnArray, Piece, Rows, resplit, verified
from handler.fast import ChunkResult, judge_line, process_chunk, process_rows
from handler.forecast import Forecast
from handler.limits import Limits
from handler.plan import Plan
from handler.records import Rejection, rows_to_table
from handler.sink import PartitionWriter, QuarantineWriter
from handler.validate import Problem

CHUNK_BYTES = 4 << 20  # bounded memory: a few buffers of this size are alive at once (8 MB: 30-50 MB more peak RSS)

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
    limits: Limits | None = None,
) -> Staged:
    """Stage the outputs of one object in ``workdir``. ``fast=False`` forces the per-record path (for tests)."""
    workdir = Path(workdir)
    limits = limits or Limits()
    use_memory_pool()
    parts = PartitionWriter(workdir, plan.file_schema)
    quarantine = QuarantineWriter(workdir / "quarantine.ndjson", raw_key, version_id)
    staged = Staged()
    try:
        payload = Payload.open(blocks, limits.max_decompressed_bytes)
        staged.format = sniff(payload, plan.contract.records_path)
        if staged.format == "ndjson":
            _run_ndjson(payload, plan, parts, quarantine, staged, chunk_bytes, fast, limits)
        elif payload.first_line().lstrip(BLANK)[:1] in (b"[", b"{"):
            _run_document(payload, plan, parts, quarantine, staged, chunk_bytes, fast, limits)
        else:  # a scalar or no JSON at all: say what it is
            data = payload.read_at_most(limits.max_record_bytes)
            parse_document(data, plan.contract.records_path)
            raise Unreadable("expected an object, an array of objects or NDJSON")
    except (Unreadable, NotAnArray) as exc:
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


def use_memory_pool() -> None:
    """Arrow's buffers from the pool this package chose (``handler.MEMORY_POOL``), when pyarrow was loaded before
    the package could choose it; a pyarrow built without jemalloc gets the system allocator.

    Not Arrow's default (mimalloc in the pyarrow wheels): every chunk allocates and frees buffers of megabytes (the
    read, the documents' split, the curated columns), and with mimalloc much of the time went to the kernel (system
    time, page faults) and peak RSS was highest. On the bench's 100 MB inputs, alternated, mimalloc against the
    system allocator: the array 1.40 -> 1.25 CPU s and 358 -> 290 MB peak RSS, records_path 1.46 -> 1.18 CPU s.
    Usually the pool is already chosen: ``handler/__init__.py`` sets it before pyarrow loads, which holds 30-45 MB
    less peak RSS than this switch. ``ARROW_DEFAULT_MEMORY_POOL`` set to another pool is the user's choice, left
    alone.
    """
    if environ.get(ARROW_POOL, MEMORY_POOL) != MEMORY_POOL or pa.default_memory_pool().backend_name == MEMORY_POOL:
        return
    try:
        pool = pa.jemalloc_memory_pool() if MEMORY_POOL == "jemalloc" else pa.system_memory_pool()
    except NotImplementedError:  # this pyarrow was built without jemalloc
        pool = pa.system_memory_pool()
    if pa.default_memory_pool().backend_name != pool.backend_name:
        pa.set_memory_pool(pool)


def flaw_rejection(flaw: Flaw, location: tuple[str, int]) -> Rejection:
    return Rejection(location, (Problem("<record>", flaw.expected, flaw.got),), record_text=flaw.text)


def _regions(payload: Payload, size: int) -> Iterator[tuple[list[bytes], bool]]:
    """The payload in regions of about ``size`` bytes, each ending after a ``}`` when it can (where the exact scan
    splits a region, it then usually ends with a whole record), each with whether it is the last. A region is its
    list of blocks: the splitter joins them once, with the element carried from the region before."""
    previous = None
    for region in payload.block_chunks(size, delimiter=b"}"):
        if previous is not None:
            yield previous, False
        previous = region
    yield (previous if previous is not None else []), True


def _run_document(
    payload: Payload, plan: Plan, parts, quarantine, staged: Staged, chunk_bytes: int, fast: bool, limits: Limits
) -> None:
    """A JSON document split into its records as it streams (``handler.elements``); each record is judged as the
    same record on an NDJSON line would be, and reported by its index in the array."""
    reader = _PieceReader(plan, plan.contract.records_path, limits.max_record_bytes, fast)
    index = 0
    for piece, results in reader.pieces(_regions(payload, chunk_bytes)):
        for run, result in zip(piece.runs, results, strict=True):
            index = _emit_run(run, result, piece.fast, index, plan, parts, quarantine, staged)


def _emit_run(run, result, resplit_refused: bool, index: int, plan: Plan, parts, quarantine, staged: Staged) -> int:
    """Add one run of a Piece to the outputs, its first slot being element ``index``; returns the next index."""
    if isinstance(run, Flaw):
        staged.records_in += 1
        quarantine.add(flaw_rejection(run, ("index", index)))
        return index + 1
    result.complete()
    if resplit_refused and any(r.record_text is not None for r in result.rejections):
        runs = _resplit(run, result)
        if runs is not None:  # a refused line held more than one element: judge the exact split instead
            for sub in runs:
                sub_result = None if isinstance(sub, Flaw) else _judge_lines(sub, plan)
                index = _emit_run(sub, sub_result, False, index, plan, parts, quarantine, staged)
            return index
    staged.isolated_chunks += int(result.isolated)
    staged.records_in += result.records_in
    for rejection in result.rejections:  # judged as lines numbered from 1 in the run
        quarantine.add(rejection, ("index", index + rejection.location[1] - 1))
    if result.tables:
        parts.write(pa.concat_tables(result.tables) if len(result.tables) > 1 else result.tables[0])
    return index + result.records_in


def _resplit(run: bytes | Rows, result: ChunkResult) -> list[bytes | Flaw] | None:
    """The run split again where a line refused as JSON holds more than one element, or None when none does.

    Only a line that is no JSON can hold two elements (a line that decodes is one value): the validator's verdicts
    name those lines (their rejections keep the raw text). Of those, only the lines Arrow did not read
    (``refused_lines``, with their bytes) can: Arrow read each other line as one object (a line the validator
    cannot decode, such as one nested too deep for Python, is one too), and a run read as Rows whole has none. The
    run (thousands of lines) is split into lines only when one of them splits.
    """
    no_json = sorted({r.location[1] - 1 for r in result.rejections if r.record_text is not None})
    known = result.refused_lines
    if known is None:  # the line-by-line isolator read the run: which lines Arrow refused is not known
        known = dict(enumerate(_lines(run).split(b"\n")[:-1]))
    no_json = [k for k in no_json if k in known]
    split = {k: items for k in no_json if (items := resplit(known[k])) is not None}
    if not split:
        return None
    out = Piece()
    for k, line in enumerate(_lines(run).split(b"\n")[:-1]):
        for item in split.get(k, (line,)):
            if isinstance(item, Flaw):
                out.add_run(item)
            else:
                out.add_line(item)
    out.close()
    return out.runs


def _judge_lines(lines: bytes, plan: Plan) -> ChunkResult:
    return process_chunk(lines, 1, plan) if plan.read_schema is not None else _slow_chunk(lines, plan)


def _slow_chunk(lines: bytes, plan: Plan, first_line: int = 1) -> ChunkResult:
    """Every line judged by the validator (the per-record path, ``fast=False``)."""
    result = ChunkResult(isolated=True, lines=line_count(lines), refused_lines=None)  # Arrow read none of them
    rows = []
    for offset, line in enumerate(lines.split(b"\n")):
        if not line.strip(BLANK):
            continue
        result.records_in += 1
        verdict = judge_line(line, first_line + offset, plan)
        if isinstance(verdict, Rejection):
            result.rejections.append(verdict)
        else:
            rows.append(verdict)
    if rows:
        result.tables.append(rows_to_table(rows, plan))
    return result


@dataclass(eq=False)
class _Split:
    """One region as the splitter split it, and the splitter's state before it (to split it again)."""

    region: tuple[list[bytes], bool]
    before: dict
    piece: Piece


@dataclass(eq=False)
class _Proposal:
    """A fast run the splitter was told holds; the reading thread proves it (``_PieceReader.read``)."""

    run: bytes | Rows  # its lines, or its Rows
    count: int | None


def _lines(run: bytes | Rows) -> bytes:
    """A fast run's NDJSON lines (made from its Rows when it was given as Rows)."""
    return run.lines()[0] if isinstance(run, Rows) else run


class _PieceReader:
    """Splits the regions on the caller's thread; reads the runs of lines they give on one worker thread, in order.

    A fast split holds when proven: Arrow read every line (each is then a complete JSON object), and the lines it
    refused are proven (``elements.verified``); otherwise that region is split exactly. Proving needs Arrow's read,
    which runs on the worker, so the splitter goes on as if the split held: region k+1 is split while region k is
    read. When a split turns out not to hold (rare: a record with ``}, {"`` inside a string, at the end of a
    region), what was split after it is dropped, the splitter goes back to its state before that region, and the
    region and the rest of the document are split as before, with each fast split proven on the spot (on the
    worker): such a document holds more of them, and splitting ahead would read the next region for nothing each
    time. Output is the same either way: only which thread splits changes.

    A region whose read is likely clean (the last one handed out was) gets its fast run as ``elements.Rows``, read
    whole by ``fast.process_rows``; where Arrow refuses them, the run's lines are read (isolated at once). That
    saves the split's substring replacement and copy: clean 100 MB documents, each run in a fresh process as the
    bench does, alternated with the code before, 8 pairs: wall time 0.96x (array) and 0.98x (records_path), about
    6,000 fewer page faults and 7 MB less peak RSS; an array written with ``indent=2`` (150 MB, line breaks in
    every record), 6 pairs: 0.89x wall time and half the page faults (bench/README.md). A document with bad
    records in every region never gets Rows (its first two regions are split before any read is known): Arrow
    would refuse them, and each region be read twice.

    Why: a document with bad records is bound by the reading thread (Arrow's reads and the refused lines), and the
    split (about 4 ms per 4 MB region) and the proof of its refused lines (about 1.5 ms) were on it while the
    caller's thread waited. Against the split on the reading thread (100 MB, alternated in separate processes,
    wall-time medians): the bad array 0.94x and the clean array 0.95x (12 pairs each); in two earlier sets of 8 with
    the proof still on the reading thread, the bad array 0.91 and 0.93x, bad records_path 0.92 and 1.00x, clean
    records_path 0.96 and 0.98x. CPU seconds unchanged (the same work on another thread).
    """

    def __init__(self, plan: Plan, records_path: str | None, max_record: int, fast: bool) -> None:
        self.lines = _ChunkReader(plan) if fast and plan.read_schema is not None else None
        self.plan = plan
        self.splitter = DocumentSplitter(records_path, max_record, self._propose if self.lines is not None else None)
        self._refused: bytes | None = None  # the lines of a fast split read and known not to hold

    def pieces(self, regions: Iterable[tuple[list[bytes], bool]]) -> Iterator[tuple[Piece, list[ChunkResult | None]]]:
        """Each region's Piece and the results of its runs (None for a flaw), in document order."""
        regions = iter(regions)
        splits: list[_Split] = []  # split, and not yet handed to the caller
        failed = unproven = None
        read = ahead((self._split(region, splits) for region in regions), self.read)
        with closing(read):
            for split, results in read:
                del splits[0]  # ``ahead`` gives the splits back in order: this one
                unproven = self._unproven(split, results)
                if unproven is not None:
                    failed = split
                    break
                piece, split = split.piece, None  # its region is not needed again: not held while it is written
                yield piece, results
                # Rows for a region whose read is likely clean: the last one handed out was (the splitter is two
                # regions ahead of it, here, whatever the threads' timing). A region with a bad record is read as
                # lines: Rows it refuses would be read twice.
                self.splitter.rows = not any(r is not None and r.isolated for r in results)
        if failed is None:
            return
        # The worker is stopped (``ahead`` closed). From the region whose split did not hold on, each fast split is
        # proven on the spot, on the worker: a document with a separator inside a string has more of them, and
        # splitting ahead would read the next region for nothing each time.
        self.splitter.restore(failed.before)
        self.splitter.judge, self.splitter.rows = self._judge, False
        self._refused = _lines(unproven.run)  # not read again: known not to hold
        yield from ahead(chain([failed.region], [s.region for s in splits], regions), self._split_and_read)

    def _split_and_read(self, region: tuple[list[bytes], bool]) -> tuple[Piece, list[ChunkResult | None]]:
        piece = self.splitter.feed(*region)
        return piece, self._results(piece, dict(piece.results))

    def _split(self, region: tuple[list[bytes], bool], splits: list[_Split]) -> _Split:
        before = self.splitter.checkpoint()
        split = _Split(region, before, self.splitter.feed(*region))
        splits.append(split)
        return split

    def _propose(self, run: bytes | Rows, count: int | None) -> _Proposal:
        return _Proposal(run, count)

    def _judge(self, run: bytes | Rows, count: int | None) -> ChunkResult | None:
        """Read a fast run and prove it: its result, or None when the split does not hold."""
        refused, self._refused = self._refused, None
        if refused is not None and isinstance(run, bytes) and refused == run:
            return None
        result = self._read_fast(run, count)
        return result if _proven(run, result) else None

    def _read_fast(self, run: bytes | Rows, count: int | None) -> ChunkResult:
        assert self.lines is not None
        self.lines.first_line = 1
        return self.lines.rows(run) if isinstance(run, Rows) else self.lines(run, count)

    def read(self, split: _Split) -> tuple[_Split, list[ChunkResult | None]]:
        """The results of a split's runs (on the worker; its fast runs still to be proven: ``_unproven``)."""
        judged = {k: self._read_fast(p.run, p.count) for k, p in split.piece.results.items()}
        return split, self._results(split.piece, judged)

    @staticmethod
    def _unproven(split: _Split, results: list[ChunkResult | None]) -> _Proposal | None:
        """The split's first fast run that what Arrow read of it does not prove, or None when all hold (on the
        caller's thread: the proof of the refused lines, about 1.5 ms per region of a bad document, is off the
        reading thread)."""
        for k, proposal in split.piece.results.items():
            if not _proven(proposal.run, results[k]):
                return proposal
        return None

    def _results(self, piece: Piece, judged: dict[int, ChunkResult]) -> list[ChunkResult | None]:
        results: list[ChunkResult | None] = []
        for k, run in enumerate(piece.runs):
            if isinstance(run, Flaw):
                results.append(None)
            elif k in judged:
                results.append(judged[k])
            elif self.lines is None:
                results.append(_slow_chunk(run, self.plan))
            else:  # an element or two split exactly: read beside the fast runs, not counted as the chunk before
                results.append(process_chunk(run, 1, self.plan, defer=True, forecast=self.lines.forecast))
        return results


def _proven(run: bytes | Rows, result: ChunkResult | None) -> bool:
    """Whether a fast run is split right, given what Arrow read of it: every line (or row of Rows) it read is a
    complete JSON object, so only the lines it refused need proving (``elements.verified``); all of them when it is
    not known which."""
    assert result is not None
    refused = result.refused_lines
    if refused is None:
        return verified(_lines(run))
    return not refused or verified(b"\n".join(refused.values()) + b"\n")


def _run_ndjson(
    payload: Payload, plan: Plan, parts, quarantine, staged: Staged, chunk_bytes: int, fast: bool, limits: Limits
) -> None:
    chunks = payload.line_chunks(chunk_bytes, limits.max_record_bytes)
    if not (fast and plan.read_schema is not None):
        first_line = 1
        for chunk in chunks:
            if isinstance(chunk, Flaw):
                judged = ChunkResult(rejections=[flaw_rejection(chunk, ("line", first_line))], records_in=1, lines=1)
            else:
                judged = _slow_chunk(chunk, plan, first_line)
            first_line += judged.lines
            staged.records_in += judged.records_in
            for rejection in judged.rejections:
                quarantine.add(rejection)
            if judged.tables:
                parts.write(judged.tables[0])
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

    def __call__(
        self, chunk: bytes | Flaw, object_lines: int | None = None, whole_first: bool | None = None
    ) -> ChunkResult:
        """Read the next chunk (``object_lines``: see ``process_chunk``; ``whole_first``: by default, unless the
        chunk before was dirty)."""
        if isinstance(chunk, Flaw):  # a line over the size limit, skipped as it streamed
            self.first_line += 1
            return ChunkResult(rejections=[flaw_rejection(chunk, ("line", self.first_line - 1))], records_in=1, lines=1)
        # After a dirty chunk, skip the optimistic whole-chunk read: it would most likely fail again.
        whole_first = not self.previous_isolated if whole_first is None else whole_first
        forecast = self.forecast
        result = process_chunk(chunk, self.first_line, self.plan, whole_first, True, forecast, object_lines)
        self.previous_isolated = result.isolated and (result.refused > 0 or bool(result.rejections))
        self.first_line += result.lines
        return result

    def rows(self, rows: Rows) -> ChunkResult:
        """Read a document's fast run given as Rows; where Arrow does not read them whole, the run's lines, isolated
        at once (the whole read was just refused)."""
        result = process_rows(rows, self.plan)
        if result is None:
            lines, count = rows.lines()
            return self(lines, count, whole_first=False)
        self.previous_isolated = False
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
