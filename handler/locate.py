"""Finding every line of a chunk that Arrow's JSON reader refuses, with Arrow doing the reading.

The chunk's lines are cut into segments of a few hundred KB, scanned in parallel (Arrow releases the GIL). A
segment is read in one single-block call; when Arrow refuses it, its error usually names the failing row: that
line is marked when Arrow refuses it alone too, and reading resumes after it. Errors without a row (numeric
conversions) and row hints that do not hold are resolved by bisection.
The lines before a failure are not read again here: the caller reads all unmarked lines of the chunk in one
call afterwards. The result only depends on the lines, never on thread timing.

``streamed_pieces`` is the usual, cheaper way: segments are streamed in small blocks and every batch Arrow reads
is kept, so each line is parsed about once; it applies when each line is at most one JSON value (see
``SECOND_VALUE``) and every refusal names its row.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import accumulate

import pyarrow as pa

from handler.decode import parse_line

ROW_HINT = re.compile(r" in row (\d+)")
BLANK = b" \t\r\n"
SEGMENT_BYTES = 256 << 10

_pool: ThreadPoolExecutor | None = None


def starts_with_n(line: bytes) -> bool:
    """Lines starting with ``n`` (null or garbage) are never handed to Arrow first (pyarrow 26 crashes)."""
    return line.lstrip(BLANK)[:1] == b"n"


def _segments(lines: list[bytes], segment_bytes: int) -> list[tuple[int, int]]:
    """[start, end) line bounds: each segment ends at the first line that brings it to ``segment_bytes``."""
    ends = list(accumulate(len(line) + 1 for line in lines))  # bytes up to and including line k
    bounds = []
    start = 0
    base = 0
    while start < len(lines):
        k = bisect_left(ends, base + segment_bytes, start)
        if k >= len(lines):
            bounds.append((start, len(lines)))
            break
        bounds.append((start, k + 1))
        start, base = k + 1, ends[k]
    return bounds


def _refused_alone(line: bytes, read_rows: Callable[[bytes], int]) -> bool:
    """Whether Arrow refuses ``line`` on its own (never called with a line starting with ``n``)."""
    try:
        return read_rows(line) != 1
    except pa.ArrowInvalid:
        return True


def _json_ok(line: bytes) -> bool:
    try:
        parse_line(line)
    except (ValueError, RecursionError):
        return False
    return True


def _culprit(lines: list[bytes], i: int, hint: int, read_rows: Callable[[bytes], int], verify: bool) -> int | None:
    """The line to mark for a refusal Arrow reports at row ``hint`` of a read starting at ``i``, or None: bisect.

    Not JSON on its own: that line. Else the line before it when that one is not JSON (it swallowed the named
    one). Else, unverified, the named line (a type Arrow refuses); ``verify`` asks Arrow to refuse it alone.
    """
    if starts_with_n(lines[hint]) or not _json_ok(lines[hint]):
        return hint
    if hint > i and not starts_with_n(lines[hint - 1]) and not _json_ok(lines[hint - 1]):
        return hint - 1
    if not verify or _refused_alone(lines[hint], read_rows):
        return hint
    return None


def _scan(
    lines: list[bytes], i: int, j: int, read_rows: Callable[[bytes], int], bad: list[int], verify: bool = True
) -> None:
    """Append to ``bad`` (ascending) the indices in [i, j) that Arrow refuses or that start with ``n``.

    Arrow's row hint is a guess, not a fact: a truncated line swallows the next one (JSON whitespace includes the
    newline) and rows can be miscounted (see ``_culprit``). Marking a good line only sends it to the validator;
    a bad line left unmarked is caught by the caller's read of all unmarked lines, which then locates again
    with ``verify``: the named line is marked only when Arrow refuses it alone, otherwise the segment is bisected.
    """
    while i < j:
        if starts_with_n(lines[i]):
            bad.append(i)
            i += 1
            continue
        if j - i == 1:
            if _refused_alone(lines[i], read_rows):
                bad.append(i)
            return
        try:
            rows = read_rows(b"\n".join(lines[i:j]))
        except pa.ArrowInvalid as exc:
            m = ROW_HINT.search(str(exc))
            hint = i + int(m.group(1)) if m else -1
            if i <= hint < j:
                marked = _culprit(lines, i, hint, read_rows, verify)
                if marked is not None:
                    bad.extend(k for k in range(i, marked) if starts_with_n(lines[k]))
                    bad.append(marked)
                    i = marked + 1
                    continue
            rows = -1
        if rows == j - i:
            bad.extend(k for k in range(i + 1, j) if starts_with_n(lines[k]))
            return
        mid = (i + j) // 2
        _scan(lines, i, mid, read_rows, bad, verify)
        _scan(lines, mid, j, read_rows, bad, verify)
        return


def unreadable_lines(
    lines: list[bytes], read_rows: Callable[[bytes], int], segment_bytes: int = SEGMENT_BYTES, verify: bool = True
) -> list[int]:
    """Indices (ascending) of the non-blank ``lines`` Arrow cannot read alone or that start with ``n``.

    ``read_rows(data)`` reads NDJSON in one block and returns its row count, raising ``pa.ArrowInvalid``.
    """
    global _pool
    segments = _segments(lines, segment_bytes)

    def scan(bounds: tuple[int, int]) -> list[int]:
        bad: list[int] = []
        _scan(lines, bounds[0], bounds[1], read_rows, bad, verify)
        return bad

    if len(segments) <= 1:
        return scan(segments[0]) if segments else []
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=max(1, min(8, os.cpu_count() or 1)), thread_name_prefix="locate")
    return [k for found in _pool.map(scan, segments) for k in found]


# A framed line starts with "{" and ends with "}" (after blanks). When every line Arrow is given is framed and no
# "}" is followed by the start of another value on its line, each line is exactly one row of a successful block:
# a value cannot run on into the next line ("}" then "{" needs a comma, and Arrow refuses a newline inside a
# string), and a line cannot hold two values. Streamed reads can then be mapped back to lines row for row.
SECOND_VALUE = re.compile(rb"\}[ \t\r]*[^ \t\r\n,}\]]")
STREAM_SEGMENT_BYTES = 1 << 20


def framed(line: bytes) -> bool:
    """Whether ``line`` starts with ``{`` and ends with ``}`` (ignoring blanks); unframed lines are never objects."""
    if line[:1] == b"{" and line[-1:] == b"}":
        return True
    core = line.strip(BLANK)
    return core[:1] == b"{" and core[-1:] == b"}"


Piece = tuple[list[int], list[pa.RecordBatch]]


def _stream_segment(
    lines: list[bytes],
    todo: list[int],
    open_batches: Callable[[bytes], Iterator[pa.RecordBatch]],
    read_rows: Callable[[bytes], int],
) -> tuple[list[int], list[Piece]] | None:
    """Read the framed lines ``todo`` (ascending indices) in streamed blocks, keeping every batch Arrow reads.

    On a refusal the batches before the failing block are kept, the named line is marked once Arrow refuses it
    alone, and streaming resumes with the failing block's other lines. None when a refusal has no usable row
    hint or names a line Arrow reads alone (the caller then locates the chunk's refusals another way).
    """
    bad: list[int] = []
    pieces: list[Piece] = []
    while todo:
        batches: list[pa.RecordBatch] = []
        consumed = 0
        try:
            for batch in open_batches(b"\n".join([lines[k] for k in todo])):
                batches.append(batch)
                consumed += batch.num_rows
        except pa.ArrowInvalid as exc:
            m = ROW_HINT.search(str(exc))
            failing = consumed + int(m.group(1)) if m else -1
            if not consumed <= failing < len(todo) or not _refused_alone(lines[todo[failing]], read_rows):
                return None
            if consumed:
                pieces.append((todo[:consumed], batches))
            bad.append(todo[failing])
            todo = todo[consumed:failing] + todo[failing + 1 :]
            continue
        if consumed != len(todo):
            return None
        pieces.append((todo, batches))
        break
    return bad, pieces


def streamed_pieces(
    lines: list[bytes],
    open_batches: Callable[[bytes], Iterator[pa.RecordBatch]],
    read_rows: Callable[[bytes], int],
    segment_bytes: int = STREAM_SEGMENT_BYTES,
) -> tuple[list[int], list[Piece]] | None:
    """Unframed and refused line indices (ascending), and the batches of all other lines with their indices.

    Every line is in exactly one of them, and the pieces are in line order. The caller guarantees no line holds a
    second value (``SECOND_VALUE``). ``open_batches(data)`` streams NDJSON in blocks (raising ``pa.ArrowInvalid``,
    whose message names the failing row of its block); ``read_rows`` reads one line. None: see ``_stream_segment``.
    """
    global _pool
    unframed = [k for k, line in enumerate(lines) if (line[:1] != b"{" or line[-1:] != b"}") and not framed(line)]
    segments = _segments(lines, segment_bytes)

    def scan(bounds: tuple[int, int]) -> tuple[list[int], list[Piece]] | None:
        todo: list[int] = []
        start = bounds[0]
        for k in unframed[bisect_left(unframed, bounds[0]) : bisect_left(unframed, bounds[1])]:
            todo.extend(range(start, k))
            start = k + 1
        todo.extend(range(start, bounds[1]))
        return _stream_segment(lines, todo, open_batches, read_rows)

    if len(segments) > 1 and _pool is None:
        _pool = ThreadPoolExecutor(max_workers=max(1, min(8, os.cpu_count() or 1)), thread_name_prefix="locate")
    found = list(_pool.map(scan, segments)) if len(segments) > 1 else [scan(s) for s in segments]
    if any(f is None for f in found):
        return None
    refused = [k for f in found for k in f[0]]
    return sorted(unframed + refused), [piece for f in found for piece in f[1]]
