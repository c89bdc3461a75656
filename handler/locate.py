"""Finding every line of a chunk that Arrow's JSON reader refuses, with Arrow doing the reading.

The chunk's lines are cut into segments of a few hundred KB, scanned in parallel (Arrow releases the GIL). A
segment is read in one single-block call; when Arrow refuses it, its error usually names the failing row: that
line is marked when Arrow refuses it alone too, and reading resumes after it. Errors without a row (numeric
conversions) and row hints that do not hold are resolved by bisection.
The lines before a failure are not read again here: the caller reads all unmarked lines of the chunk in one
call afterwards. The result only depends on the lines, never on thread timing.

``streamed_pieces`` is the usual, cheaper way: segments are streamed in small blocks over one buffer in which
refused lines are blanked, and every batch Arrow reads is kept, so each line is parsed about once; it applies
when each line is at most one JSON value (see ``has_second_value``). A refusal that names no row is bisected
(``_scan``) within its segment.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from itertools import accumulate

import pyarrow as pa
import pyarrow.compute as pc

from handler.blob import found, one_value
from handler.decode import BLANK, parse_line
from handler.threads import pool

ROW_HINT = re.compile(r" in row (\d+)")
SEGMENT_BYTES = 256 << 10


def starts_with_n(line: bytes) -> bool:
    """Lines starting with ``n`` (null or garbage) are never handed to Arrow first (pyarrow 26 crashes)."""
    return line.lstrip(BLANK)[:1] == b"n"


# Arrow's JSON reader reads two kinds of line that are no JSON, where the validator refuses the line:
# - NaN, Infinity and -Infinity (what Python's ``json.dumps`` writes for such floats), read as numbers in any field,
#   those the contract ignores included;
# - bytes that are not UTF-8 inside a string: Arrow copies them into the string column as they are, and Parquet
#   then holds strings no reader can decode.
# Such a line is never handed to Arrow (``misread_lines``); the validator judges it. Whether a chunk may hold one
# (``may_misread``): Arrow's UTF-8 validation (0.6-0.7 ms per 4 MB, no copy), and for each word a ``memchr`` for
# its first byte (0.1 ms), then, only when there is one, RE2 for the word (0.2 ms: it skips from one such byte to
# the next) and for the word where a value starts (7 ms: after ``:``, ``[`` or ``,``), the GIL released. So the
# words in strings cost nothing unless a string holds ``: NaN`` or the like (the validator then judges its line).
_NON_JSON_NUMBERS = ("NaN", "Infinity")
NON_JSON_NUMBER = r"[:\[,][ \t\r]*-?(?:NaN|Infinity)"


def is_utf8(data: bytes) -> bool:
    try:
        one_value(data).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def may_misread(data: bytes) -> bool:
    """Whether ``data`` (a chunk or one line) may hold a line Arrow reads though it is no JSON (see above)."""
    words = any(word[0].encode() in data and found(word, data) for word in _NON_JSON_NUMBERS)
    return (words and found(NON_JSON_NUMBER, data)) or not is_utf8(data)


def _segments(ends: list[int], segment_bytes: int) -> list[tuple[int, int]]:
    """[start, end) line bounds: each segment ends at the first line that brings it to ``segment_bytes``.

    ``ends[k]`` is the byte offset just past line ``k`` and its newline (ascending).
    """
    bounds = []
    start = 0
    base = 0
    while start < len(ends):
        k = bisect_left(ends, base + segment_bytes, start)
        if k >= len(ends):
            bounds.append((start, len(ends)))
            break
        bounds.append((start, k + 1))
        start, base = k + 1, ends[k]
    return bounds


def refused_alone(line: bytes, read_rows: Callable[[bytes], int]) -> bool:
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
    if not verify or refused_alone(lines[hint], read_rows):
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
            if refused_alone(lines[i], read_rows):
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
    segments = _segments(list(accumulate(len(line) + 1 for line in lines)), segment_bytes)

    def scan(bounds: tuple[int, int]) -> list[int]:
        bad: list[int] = []
        _scan(lines, bounds[0], bounds[1], read_rows, bad, verify)
        return bad

    if len(segments) <= 1:
        return scan(segments[0]) if segments else []
    return [k for found in pool().map(scan, segments) for k in found]


# A framed line starts with "{" and ends with "}" (after blanks). When every line Arrow is given is framed and no
# "}" is followed on its line by a second value Arrow reads as a row (an object or null), each line is exactly one
# row of a successful block: a value cannot run on into the next line ("}" then "{" needs a comma, and Arrow
# refuses a newline inside a string). Streamed reads can then be mapped back to lines row for row. Any other
# value after a "}" (a string, number, boolean or array) makes Arrow refuse its block, and the line is named
# as a broken line is (``_named``). The pattern sees no strings: a "}" inside one followed by "{" or "n" is taken
# for a second value (only costs time), but a "}" closing a string's text ('"{true}"', JSON held as text) is not:
# every such record used to send its whole chunk, when dirty, to the slower ``_located`` (2x the time).
SECOND_VALUE = r"\}[ \t\r]*[{n]"


def has_second_value(data: bytes) -> bool:
    """Whether a "}" is followed on its line by the start of another value."""
    return found(SECOND_VALUE, data)


STREAM_SEGMENT_BYTES = 1 << 20
_OPEN, _CLOSE = ord("{"), ord("}")


class Lines:
    """The physical lines of one chunk, found once and never copied: line ``k`` is ``data[start(k):ends[k]]``."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        ends: list[int] = []
        odd: list[int] = []  # lines not simply "{...}": blank, padded or unframed (rare; sorted_out looks closer)
        find = data.find
        start = 0
        pos = find(b"\n")
        while pos >= 0:
            if pos == start or data[start] != _OPEN or data[pos - 1] != _CLOSE:
                odd.append(len(ends))
            ends.append(pos)
            start = pos + 1
            pos = find(b"\n", start)
        if start < len(data):
            if data[start] != _OPEN or data[-1] != _CLOSE:
                odd.append(len(ends))
            ends.append(len(data))
        self.ends = ends
        self._odd = odd

    def __len__(self) -> int:
        return len(self.ends)

    def start(self, k: int) -> int:
        return self.ends[k - 1] + 1 if k else 0

    def line(self, k: int) -> bytes:
        return self.data[self.start(k) : self.ends[k]]

    def matching(self, pattern: str, span: int = 64, prefilter: str | None = None) -> list[int]:
        """The lines (ascending) in which ``pattern`` matches; it must never match a newline (RE2 and ``re``).

        Spans of ``span`` lines are searched first, in one vectorised call (RE2 through pyarrow, the GIL released),
        for ``prefilter`` when given (it must match wherever ``pattern`` does), then the lines of the spans that
        match are searched for ``pattern``. RE2 skips ahead to its pattern's first byte with ``memchr``: a
        prefilter that does not start with a byte found all over the data is several times faster.
        """
        if not self.ends:
            return []
        firsts = list(range(0, len(self.ends), span))
        offsets = [self.start(k) for k in firsts] + [len(self.data)]
        spans = pa.Array.from_buffers(
            pa.large_binary(), len(firsts), [None, pa.array(offsets, pa.int64()).buffers()[1], pa.py_buffer(self.data)]
        )
        regex = re.compile(pattern.encode())
        found: list[int] = []
        for s in pc.indices_nonzero(pc.match_substring_regex(spans, prefilter or pattern)).to_pylist():
            for m in regex.finditer(self.data, offsets[s], offsets[s + 1]):
                k = bisect_left(self.ends, m.start())
                if not found or found[-1] != k:
                    found.append(k)
        return found

    def misread_lines(self) -> list[int]:
        """The lines (ascending) Arrow may read though they are no JSON (see ``may_misread``); each byte is decoded
        once: the decoding resumes at the line after each that is not UTF-8."""
        found = set(self.matching(NON_JSON_NUMBER))
        view, pos = memoryview(self.data), 0
        while pos < len(self.data):
            try:
                str(view[pos:], "utf-8")
                break
            except UnicodeDecodeError as exc:
                k = bisect_left(self.ends, pos + exc.start)
                found.add(k)
                pos = self.ends[k] + 1
        return sorted(found)

    def sorted_out(self) -> tuple[list[int], list[int]]:
        """(blank lines, unframed lines): what is not a record, and the records that are never objects."""
        blank, unframed = [], []
        for k in self._odd:
            core = self.line(k).strip(BLANK)
            if not core:
                blank.append(k)
            elif core[:1] != b"{" or core[-1:] != b"}":
                unframed.append(k)
        return blank, unframed


Piece = tuple[list[int], list[pa.RecordBatch]]  # (line indices read, their rows' batches)


def read_whole(
    lines: Lines, skip: list[int], read: Callable[[bytearray], pa.Table]
) -> tuple[list[int], list[Piece]] | None:
    """Every line but ``skip`` read by Arrow in one call, in the shape ``streamed_pieces`` returns (no line
    refused), or None when Arrow refuses a line or miscounts rows.

    For a chunk whose refusals are all expected to be among ``skip``: one multi-threaded read (``read``) of the
    chunk with those lines blanked costs about a fifth less than streaming it in small blocks (no block is parsed
    twice, none is cut small, Arrow's own threads split the work). The same guarantee as ``streamed_pieces``
    (no line holds a second value) maps the rows to the lines read, one each.
    """
    try:
        table = read(_blanked(lines, skip))
    except pa.ArrowInvalid:
        return None
    gone = set(skip)
    read_lines = [k for k in range(len(lines)) if k not in gone]
    if table.num_rows != len(read_lines):
        return None
    return [], [(read_lines, table.to_batches())]


def streamed_pieces(
    lines: Lines,
    skip: list[int],
    open_batches: Callable[[pa.Buffer], Iterator[pa.RecordBatch]],
    read_rows: Callable[[bytes], int],
    segment_bytes: int = STREAM_SEGMENT_BYTES,
    on_refusal: Callable[[str], None] | None = None,
) -> tuple[list[int], list[Piece]] | None:
    """Stream every line but ``skip`` (ascending; blank or unframed lines) through Arrow, keeping every batch it reads.

    Returns the refused lines (ascending) and, per segment in line order, the lines it read and their batches
    (row ``r`` of a segment's batches is its ``r``-th line read): each line not skipped is either refused or read
    once. The caller guarantees no line holds a second value
    (``has_second_value``). ``open_batches(buffer)`` streams NDJSON in blocks (raising ``pa.ArrowInvalid``, whose
    message names the failing row of its block); ``read_rows`` reads NDJSON in one block.

    The chunk is copied once into a mutable buffer in which skipped and refused lines are overwritten with spaces:
    Arrow reads a blank line as no row, so a refusal costs one re-opened stream from the first unread line over
    the same buffer (no copy; the failing block is parsed again), and rows keep mapping to lines. Segments of
    about ``segment_bytes`` run on two threads. A refusal that names no row is resolved by bisection over the
    segment's unread lines (``_scan``); None when Arrow still refuses after that, or miscounts rows.
    ``on_refusal(message)`` is told every refusal met while streaming (called from the segments' threads).
    """
    buffer = _blanked(lines, skip)
    view = pa.py_buffer(buffer)
    bounds = _segments([end + 1 for end in lines.ends], segment_bytes)

    def scan(bound: tuple[int, int]) -> tuple[list[int], Piece] | None:
        todo, start = [], bound[0]
        for k in skip[bisect_left(skip, bound[0]) : bisect_left(skip, bound[1])]:
            todo.extend(range(start, k))
            start = k + 1
        todo.extend(range(start, bound[1]))
        end = lines.ends[bound[1] - 1] if bound[1] > bound[0] else 0
        refused: list[int] = []
        kept: list[pa.RecordBatch] = []
        bisected = False
        pos = 0  # todo[:pos] is read; todo[pos:] is what the next stream starts with
        while pos < len(todo):
            batches: list[pa.RecordBatch] = []
            consumed = 0
            offset = lines.start(todo[pos])
            try:
                for batch in open_batches(view.slice(offset, end - offset)):
                    batches.append(batch)
                    consumed += batch.num_rows
            except pa.ArrowInvalid as exc:
                kept.extend(batches)
                pos += consumed
                if on_refusal is not None:
                    on_refusal(str(exc))
                m = ROW_HINT.search(str(exc))
                failing = pos + int(m.group(1)) if m else -1
                if pos <= failing < len(todo):
                    marked = [_named(lines, todo, failing, pos)]
                elif bisected:
                    return None
                else:  # no row named: find what Arrow refuses among the unread lines (each line read alone at worst)
                    bisected = True
                    found: list[int] = []
                    _scan([lines.line(k) for k in todo[pos:]], 0, len(todo) - pos, read_rows, found)
                    if not found:
                        return None
                    marked = [pos + r for r in found]
                for at in reversed(marked):  # positions in todo, ascending
                    refused.append(todo[at])
                    _blank(buffer, lines, todo[at])
                    del todo[at]
                continue
            if pos + consumed != len(todo):
                return None
            kept.extend(batches)
            break
        return sorted(refused), (todo, kept)

    found = list(pool().map(scan, bounds)) if len(bounds) > 1 else [scan(b) for b in bounds]
    if any(f is None for f in found):
        return None
    return [k for f in found for k in f[0]], [f[1] for f in found]


def _named(lines: Lines, todo: list[int], failing: int, first: int) -> int:
    """The position in ``todo`` to mark for Arrow's refusal of ``todo[failing]`` in a stream that started at
    ``todo[first]``: that line, unless it is JSON on its own and the line before it is not (a line that is not JSON
    can run on into the next, which Arrow then names). A good line marked by mistake only goes to the validator."""
    if failing > first and _json_ok(lines.line(todo[failing])) and not _json_ok(lines.line(todo[failing - 1])):
        return failing - 1
    return failing


def _blanked(lines: Lines, skip: list[int]) -> bytearray:
    """A copy of the chunk in which the ``skip`` lines are blanked."""
    buffer = bytearray(lines.data)
    for k in skip:
        _blank(buffer, lines, k)
    return buffer


def _blank(buffer: bytearray, lines: Lines, k: int) -> None:
    """Overwrite line ``k`` with spaces (same length: offsets and the other lines stay as they are)."""
    start, end = lines.start(k), lines.ends[k]
    buffer[start:end] = b" " * (end - start)
