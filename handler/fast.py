"""The vectorised path: NDJSON bytes -> Arrow table with ``pyarrow.json`` and an explicit schema.

A chunk is first read whole (after a dirty chunk that read is skipped: it would most likely fail again). Only if
Arrow refuses it (malformed line, wrong type) is the chunk *isolated*: its lines are streamed in blocks over one
buffer in which refused lines are blanked (``locate.streamed_pieces``), so each line is parsed about once and a
refusal costs a re-opened stream. The lines the object's ``Forecast`` predicts Arrow will refuse (a key followed
by a value of the kind Arrow refused for it earlier) are taken out first. Refusals that name no row (numeric
conversions) are bisected. When a line may hold two values, or streaming gives up, the refused lines are
located and all the others read again in one call (``_located``); the last resort reads line by line
(``_Isolator``). Rows Arrow reads but cannot prove valid (nulls in required columns, timestamps its strict
pattern does not match) are *suspects*. Lines Arrow would read though they are no JSON (NaN, Infinity, bytes
that are not UTF-8: see ``locate.may_misread``) are never handed to it. Refused lines, those lines and suspects
go to the per-record validator, which is the authority: every line ends up exactly once in the curated table or
in a rejection. A document's clean run can come as ``elements.Rows`` (``process_rows``): read whole like a clean
chunk, or not at all (its lines are then read as above).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from contracts import DataType
from handler.blob import found, line_count
from handler.decode import parse_line
from handler.elements import ROWS_KEY, Rows, element_line, exact_elements
from handler.forecast import Forecast
from handler.locate import (
    ROW_HINT,
    Lines,
    has_second_value,
    may_misread,
    read_whole,
    starts_with_n,
    streamed_pieces,
    unreadable_lines,
)
from handler.plan import Plan
from handler.records import Rejection, judge, rows_to_table
from handler.temporal import parse_dates, parse_timestamps
from handler.threads import pool

_LOCATE_ROUNDS = 4
# pyarrow's JSON reader crashes (segfault, pyarrow 26) when a block starts with a `null` row. Lines that start
# with `n` (null, or garbage) are therefore never the first line handed to it: such chunks are isolated and
# those lines judged by the validator.
_N_FIRST_LINE = re.compile(rb"[ \t\r\n]*n")
_N_LATER_LINE = r"\n[ \t\r]*n"  # RE2 (pyarrow): about 4x faster than re here, and the GIL is released


@dataclass
class ChunkResult:
    tables: list[pa.Table] = field(default_factory=list)  # output schema (with dt), in line order
    rejections: list[Rejection] = field(default_factory=list)
    records_in: int = 0
    isolated: bool = False
    lines: int = 0  # physical lines in the chunk, blank ones included: the next chunk's first line number follows
    refused: int = 0  # lines Arrow refused (or that are never objects), known once the chunk is read
    predicted: int = 0  # of those, lines taken out before streaming because a forecast picked them
    # the lines Arrow did not read, by position in the chunk (every other line is a complete JSON object); None:
    # not known (line by line)
    refused_lines: dict[int, bytes] | None = field(default_factory=dict)
    pending: Callable[[], None] | None = None  # work left for ``complete`` (see ``process_chunk``)

    def complete(self) -> ChunkResult:
        """Run the deferred work: curation of a dirty chunk, judging the lines Arrow refused or could not prove,
        merging the validator's rows back in line order."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending()
        return self


def stream_ndjson(data: bytes | pa.Buffer, plan: Plan, block_size: int) -> pj.JSONStreamingReader:
    """Arrow's streaming JSON reader over ``data``, one thread, in blocks of ``block_size`` (raises
    ``pa.ArrowInvalid``)."""
    return pj.open_json(
        pa.BufferReader(data),
        read_options=pj.ReadOptions(use_threads=False, block_size=block_size),
        parse_options=pj.ParseOptions(explicit_schema=plan.read_schema, unexpected_field_behavior="ignore"),
    )


def read_ndjson(data, plan: Plan, threads: bool) -> pa.Table:
    """Arrow's JSON reader over ``data`` (bytes or memoryview); raises ``pa.ArrowInvalid`` on bad input."""
    block = 1 << 20 if threads else max(len(data) + 64, 1 << 16)
    return pj.read_json(
        pa.BufferReader(pa.py_buffer(data)),  # no copy (a BytesIO is read through Python, a block at a time)
        read_options=pj.ReadOptions(use_threads=threads, block_size=block),
        parse_options=pj.ParseOptions(explicit_schema=plan.read_schema, unexpected_field_behavior="ignore"),
    )


def _has_decimal(t: DataType) -> bool:
    if t.kind == "decimal":
        return True
    if t.kind == "list":
        return _has_decimal(t.item)
    if t.kind == "struct":
        return any(_has_decimal(member) for _, member in t.fields)
    return False


def decimal_overflow(col: pa.Array, t: DataType) -> pa.Array:
    """Rows holding a decimal with more than ``precision`` digits once scaled.

    Arrow checks the precision of the digits as written, before rescaling (``10000000000`` fits 12 digits, but
    ``10000000000.00`` does not fit ``decimal(12,2)``); the validator rejects such values, so they are suspects.
    """
    n = len(col)
    if t.kind == "decimal":
        bound = pa.scalar(Decimal(10) ** (t.precision - t.scale), pa.decimal128(t.precision - t.scale + 1, 0))
        return pc.fill_null(pc.greater_equal(pc.abs(col), bound), False)
    if t.kind == "struct":
        mask = _all_false(n)
        for name, member in t.fields:
            if _has_decimal(member):
                mask = pc.or_(mask, decimal_overflow(pc.struct_field(col, name), member))
        return mask
    if t.kind == "list":
        flat_bad = decimal_overflow(pc.list_flatten(col), t.item)
        if not pc.any(flat_bad).as_py():
            return _all_false(n)
        rows = pc.filter(pc.list_parent_indices(col), flat_bad)
        return pc.is_in(pa.array(range(n), pa.int64()), value_set=pc.cast(rows, pa.int64()))
    return _all_false(n)


def read_rows(text: bytes, plan: Plan) -> tuple[pa.Table, list[int]] | None:
    """The elements of a document's ``elements.Rows`` as a table of ``plan.read_schema`` (one chunk per block Arrow
    read, as from lines) and how many elements each row holds, or None when Arrow refuses a row or an element is
    null (not an object)."""
    schema = pa.schema([pa.field(ROWS_KEY, pa.list_(pa.struct(list(plan.read_schema))))])
    try:
        rows = pj.read_json(
            pa.BufferReader(pa.py_buffer(text)),
            read_options=pj.ReadOptions(use_threads=True, block_size=1 << 20),
            parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
        )
    except pa.ArrowInvalid:
        return None
    elements = [chunk.flatten() for chunk in rows.column(0).chunks]
    if any(chunk.null_count for chunk in elements):
        return None
    table = pa.Table.from_batches([pa.RecordBatch.from_struct_array(chunk) for chunk in elements], plan.read_schema)
    return table, pc.list_value_length(rows.column(0)).to_pylist()


def process_rows(rows: Rows, plan: Plan) -> ChunkResult | None:
    """Read a document's fast run as ``Rows`` in one call, as ``process_chunk`` (``defer=True``) reads a clean
    chunk: its result, or None when Arrow refuses a row, an element is not an object, or a line may be one Arrow
    misreads (``locate.may_misread``): the caller then reads the run's lines. A suspect row gets its line from
    its own row (``_RowLines``)."""
    misread = pool().submit(may_misread, rows.text)  # beside Arrow's read (no GIL)
    read = read_rows(rows.text, plan)
    if misread.result() or read is None:
        return None
    table, lengths = read
    result = ChunkResult(lines=table.num_rows)
    _emit_fast(result, plan, table, _RowLines(rows, lengths, plan))
    return result


class _RowLines:
    """Element ``r`` of ``elements.Rows`` read whole -> its line number in the run and its text, for the validator.

    Only the rows that hold such an element are split into lines (``Rows.row_lines``), and the split is kept when
    Arrow reads it as that row's number of elements (each line is then one JSON object, so the split is the exact
    scan's); else the row is split exactly: a string that ends in ``}, {`` holds the separator. A 4 MB run split
    whole and proven by ``elements.verified`` cost about 40 ms; a row of 64 KB read by Arrow, well under 1 ms.
    """

    def __init__(self, rows: Rows, lengths: list[int], plan: Plan) -> None:
        self.rows, self.plan = rows, plan
        self.counts = list(accumulate(lengths))  # elements up to each row, that row's included
        self.split: dict[int, list[bytes]] = {}

    def __call__(self, r: int) -> tuple[int, bytes]:
        row = bisect_right(self.counts, r)
        first = self.counts[row - 1] if row else 0
        if row not in self.split:
            self.split[row] = self._elements(row, self.counts[row] - first)
        return r + 1, self.split[row][r - first]

    def _elements(self, row: int, count: int) -> list[bytes]:
        lines = self.rows.row_lines(row)
        try:
            if lines.count(b"\n") == count and read_ndjson(lines, self.plan, threads=False).num_rows == count:
                return lines.split(b"\n")[:-1]
        except pa.ArrowInvalid:
            pass
        body = self.rows.row(row)
        items = exact_elements(body) or [element_line(body)]
        if len(items) != count or not all(isinstance(item, bytes) for item in items):
            raise RuntimeError(f"row {row} of a run Arrow read as {count} elements was split into {len(items)}")
        return items


def _all_false(n: int) -> pa.Array:
    return pc.is_valid(pa.nulls(n, pa.bool_()))


def curate_table(table: pa.Table, plan: Plan) -> tuple[pa.Table, pa.Array]:
    """Flatten a read table into the output schema; return it with the mask of rows only the validator may judge."""
    table = table.combine_chunks()  # one chunk per column: the kernels below run once, not once per block
    n = table.num_rows
    suspect = _all_false(n)
    columns = []
    for f in plan.contract.fields:
        parts = f.path_parts
        col = table.column(parts[0])
        for part in parts[1:]:
            col = pc.struct_field(col, part)
        col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        if f.type.kind == "timestamp":
            col, bad = parse_timestamps(col, plan.timestamps[f.name])
            suspect = pc.or_(suspect, bad)
        elif f.type.kind == "date":
            col, bad = parse_dates(col)
            suspect = pc.or_(suspect, bad)
        elif _has_decimal(f.type):
            suspect = pc.or_(suspect, decimal_overflow(col, f.type))
        if f.required or not f.nullable:
            suspect = pc.or_(suspect, pc.is_null(col))
        columns.append(col)
    part_col = columns[plan.contract.field_names.index(plan.contract.partition_field)]
    if pa.types.is_timestamp(part_col.type):
        part_col = pc.cast(part_col, pa.date32())  # UTC timestamps: the UTC calendar day
    dt = pc.cast(part_col, pa.string())  # date32 -> YYYY-MM-DD
    columns.append(dt)
    return pa.Table.from_arrays(columns, schema=plan.out_schema), suspect


def _nonblank_lines(data: bytes, first_line: int) -> list[tuple[int, int, int]]:
    """(line number, start, end) of every non-blank line in ``data``."""
    lines = Lines(data)
    blank = set(lines.sorted_out()[0])
    return [(first_line + k, lines.start(k), lines.ends[k]) for k in range(len(lines)) if k not in blank]


def _lines_of(data: bytes, first_line: int) -> Callable[[int], tuple[int, bytes]]:
    """Row ``r`` of a table read from NDJSON ``data`` -> its line number and text; the lines are found on the first
    call only: most tables need none of them."""
    lines: list[tuple[int, int, int]] = []

    def line_of(r: int) -> tuple[int, bytes]:
        if not lines:
            lines.extend(_nonblank_lines(data, first_line))
        line_no, start, end = lines[r]
        return line_no, data[start:end]

    return line_of


def _has_n_line(data: bytes) -> bool:
    """Whether any line starts with ``n`` (after blanks): one anchored match and one RE2 search."""
    if _N_FIRST_LINE.match(data) is not None:
        return True
    return found(_N_LATER_LINE, data)


class _Isolator:
    def __init__(self, data: bytes, first_line: int, plan: Plan, result: ChunkResult) -> None:
        self.data = data
        self.view = memoryview(data)
        self.lines = _nonblank_lines(data, first_line)
        self.plan = plan
        self.result = result

    def line(self, k: int) -> tuple[int, bytes]:
        line_no, start, end = self.lines[k]
        return line_no, self.data[start:end]

    def judge(self, k: int) -> None:
        line_no, line = self.line(k)
        self.result.records_in += 1
        _emit_judged(self.result, self.plan, [judge_line(line, line_no, self.plan)])

    def never_read(self, k: int) -> bool:
        """Lines never handed to Arrow: starting with ``n`` (see ``starts_with_n``), or no JSON that Arrow would
        read (``locate.may_misread``)."""
        _, start, end = self.lines[k]
        line = self.data[start:end]
        return starts_with_n(line) or may_misread(line)

    def run(self, i: int, j: int) -> None:
        while i < j:
            if self.never_read(i):
                self.judge(i)
                i += 1
                continue
            seg = self.view[self.lines[i][1] : self.lines[j - 1][2]]
            try:
                table = read_ndjson(seg, self.plan, threads=False)
            except pa.ArrowInvalid as exc:
                if j - i == 1:
                    self.judge(i)
                    return
                m = ROW_HINT.search(str(exc))
                hint = int(m.group(1)) if m else -1
                if 0 <= hint < j - i:
                    if hint:
                        self.run(i, i + hint)
                    self.judge(i + hint)
                    i += hint + 1
                    continue
                mid = (i + j) // 2
                self.run(i, mid)
                self.run(mid, j)
                return
            if table.num_rows != j - i:
                if j - i == 1:
                    self.judge(i)
                    return
                mid = (i + j) // 2
                self.run(i, mid)
                self.run(mid, j)
                return
            _emit_fast(self.result, self.plan, table, lambda r, i=i: self.line(i + r))
            return


def judge_line(line: bytes, line_no: int, plan: Plan):
    try:
        record = parse_line(line)
    except (ValueError, RecursionError) as exc:
        return Rejection.unparsed(("line", line_no), line, str(exc))
    return judge(record, ("line", line_no), plan, original=line)


def _emit_judged(result: ChunkResult, plan: Plan, judged: list) -> None:
    rows = []
    for item in judged:
        if isinstance(item, Rejection):
            result.rejections.append(item)
        else:
            rows.append(item)
    if rows:
        result.tables.append(rows_to_table(rows, plan))


def _emit_fast(result: ChunkResult, plan: Plan, table: pa.Table, line_of: Callable[[int], tuple[int, bytes]]) -> None:
    """Add a successfully read table (deferred to ``complete``): clean rows directly, suspects through the validator,
    in line order (``line_of``: a row's line number and text)."""
    result.records_in += table.num_rows

    def curate_and_judge() -> None:
        curated, suspect = curate_table(table, plan)
        if not pc.any(suspect).as_py():
            result.tables.append(curated)
            return
        keep = pc.indices_nonzero(pc.invert(suspect))
        judged = []
        for r in pc.indices_nonzero(suspect).to_pylist():
            line_no, line = line_of(r)
            judged.append((r, line, line_no))
        _add_judged(result, plan, curated.take(keep), keep.cast(pa.int64()), judged)

    result.pending = curate_and_judge


def _add_judged(
    result: ChunkResult, plan: Plan, curated: pa.Table | None, positions: pa.Array, judged: list[tuple[int, bytes, int]]
) -> None:
    """Judge the ``judged`` lines ``(position, line, line number)`` and add their verdicts to ``result`` with the
    ``curated`` rows (at ``positions``): rejections to the report, accepted rows merged in position order."""
    rows, order = [], []
    for position, line, line_no in judged:
        verdict = judge_line(line, line_no, plan)
        if isinstance(verdict, Rejection):
            result.rejections.append(verdict)
        else:
            rows.append(verdict)
            order.append(position)
    pieces = [curated] if curated is not None and curated.num_rows else []
    if rows:
        pieces.append(rows_to_table(rows, plan))
        position = pa.concat_arrays([positions, pa.array(order, pa.int64())])
        merged = pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]
        pieces = [merged.take(pc.sort_indices(position))]
    result.tables.extend(pieces)


def process_chunk(
    data: bytes,
    first_line: int,
    plan: Plan,
    whole_first: bool = True,
    defer: bool = False,
    forecast: Forecast | None = None,
    object_lines: int | None = None,
) -> ChunkResult:
    """Read one chunk of whole NDJSON lines; ``whole_first=False`` skips the optimistic whole-chunk read.

    ``defer=True`` leaves the validator's share (and a dirty chunk's curation) to the caller's ``result.complete()``:
    the reading thread can go on to the next chunk while another thread finishes this one (``transform``).
    ``forecast`` carries what the object's previous chunks taught (pass the same one for every chunk, in order).
    ``object_lines``: the chunk's number of lines when the caller knows it and knows every line starts with ``{``
    (a document's fast split): the count and the guard against lines starting with ``n`` are then skipped.
    """
    result = _process_chunk(data, first_line, plan, whole_first, forecast or Forecast(), object_lines)
    return result if defer else result.complete()


def _process_chunk(
    data: bytes, first_line: int, plan: Plan, whole_first: bool, forecast: Forecast, object_lines: int | None
) -> ChunkResult:
    result = ChunkResult()
    if whole_first and (object_lines is not None or not _has_n_line(data)):
        # beside Arrow's read, on the pool's threads (no GIL): whether a line is no JSON Arrow would read, and the
        # number of lines (when not known)
        misread_check = pool().submit(may_misread, data)
        counted = pool().submit(line_count, data) if object_lines is None else None
        try:
            table = read_ndjson(data, plan, threads=True)
        except pa.ArrowInvalid as exc:
            forecast.learn([str(exc)])
            table = None
        result.lines = object_lines if counted is None else counted.result()
        misread = misread_check.result()
        if table is not None and table.num_rows == result.lines and not misread:
            _emit_fast(result, plan, table, _lines_of(data, first_line))
            return result
    else:
        misread = may_misread(data)
    result.isolated = True
    if not _isolate(data, first_line, plan, result, forecast, misread):
        result = ChunkResult(isolated=True, lines=line_count(data), refused_lines=None)
        isolator = _Isolator(data, first_line, plan, result)
        isolator.run(0, len(isolator.lines))
    return result


def _isolate(data: bytes, first_line: int, plan: Plan, result: ChunkResult, forecast: Forecast, misread: bool) -> bool:
    """Isolate a chunk Arrow refused: every line is read by Arrow once, or judged by the validator.

    Usually the lines are streamed in small blocks (``locate.streamed_pieces``) and every batch Arrow reads is
    kept; a refusal costs one re-opened stream. The lines the ``forecast`` predicts Arrow will refuse are taken out
    first, and the refusals met teach it for the next chunk. When the forecast expects no other refusal, the rest
    is read whole instead (``locate.read_whole``), and streamed only if Arrow refuses a line after all. When a
    line may hold two values, or streaming gives up, the refused lines are located and all the others read again
    in ONE call (``_located``). Returns False (nothing added to ``result``) when Arrow still refuses the remaining
    lines after a few rounds of locating; the caller then falls back to the line-by-line isolator.
    """
    second_value = pool().submit(has_second_value, data)  # RE2 without the GIL, beside the Python line index
    lines = Lines(data)
    result.lines = len(lines)
    blank, unread = lines.sorted_out()  # unread: lines never handed to Arrow (never objects, or misread)
    if misread:
        unread = sorted(set(unread).union(lines.misread_lines()).difference(blank))

    def read_rows(segment: bytes) -> int:
        return read_ndjson(segment, plan, threads=False).num_rows

    streamed = None
    predicted: list[int] = []
    if not second_value.result():
        skip = sorted(blank + unread)
        predicted = forecast.predict(lines, skip)
        taken = sorted(skip + predicted)
        refusals: list[str] = []
        if forecast.expects_no_refusal:
            streamed = read_whole(lines, taken, lambda buffer: read_ndjson(buffer, plan, threads=True))
        if streamed is None:
            block = forecast.block_size(len(data))
            streamed = streamed_pieces(
                lines, taken, lambda buffer: stream_ndjson(buffer, plan, block), read_rows, on_refusal=refusals.append
            )
            forecast.learn(refusals)
        forecast.record(len(refusals), len(data))
    if streamed is not None:
        refused, pieces = streamed
        forecast.learn_lines(lines.line(k) for k in refused)
        bad = set(unread).union(refused, predicted)
        result.predicted = len(predicted)
        good = [k for read, _ in pieces for k in read]
        batches = [batch for _, kept in pieces for batch in kept]
        table = pa.Table.from_batches(batches, schema=plan.read_schema) if good else None
    else:
        gone = set(blank).union(unread)
        records = [k for k in range(len(lines)) if k not in gone]
        refused_at, good_at, table = _located([lines.line(k) for k in records], plan, read_rows)
        if refused_at is None:
            return False
        bad, good = {records[r] for r in refused_at}.union(unread), [records[r] for r in good_at]
    result.records_in += len(lines) - len(blank)
    result.refused = len(bad)
    result.refused_lines = {k: lines.line(k) for k in sorted(bad)}

    def curate_and_judge() -> None:
        judged = sorted(bad)
        if table is not None:
            curated, suspect = curate_table(table, plan)
            good_pos = pa.array(good, pa.int64())
            if pc.any(suspect).as_py():
                judged = sorted(bad.union(pc.filter(good_pos, suspect).to_pylist()))
                keep = pc.invert(suspect)
                curated, good_pos = curated.filter(keep), pc.filter(good_pos, keep)
        else:
            curated, good_pos = None, pa.array([], pa.int64())
        _add_judged(result, plan, curated, good_pos, [(k, lines.line(k), first_line + k) for k in judged])

    result.pending = curate_and_judge
    return True


def _located(
    lines: list[bytes], plan: Plan, read_rows: Callable[[bytes], int]
) -> tuple[set | None, list[int], pa.Table | None]:
    """Locate the refused lines, then read all the others in ONE call: (refused, read, table), or (None, ...)."""
    bad = set(unreadable_lines(lines, read_rows, verify=False))
    table = None
    good: list[int] = []
    for _ in range(_LOCATE_ROUNDS):  # refusals hidden behind others (no row hint, swallowed lines): locate again
        good = [k for k in range(len(lines)) if k not in bad]
        if not good:
            return bad, good, None
        try:
            table = read_ndjson(b"\n".join([lines[k] for k in good]), plan, threads=True)
        except pa.ArrowInvalid:
            table = None
        if table is not None and table.num_rows == len(good):
            return bad, good, table
        found = unreadable_lines([lines[k] for k in good], read_rows)
        if not found:
            break
        bad.update(good[r] for r in found)
    return None, good, None
