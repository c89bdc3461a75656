"""JSON documents split into their records as a stream: each record becomes one NDJSON line for the fast path.

A document is a top-level array of records, a single object, or a wrapper object whose records sit in the array
at ``records_path``. ``DocumentSplitter`` is fed the payload in regions of about a chunk, in order, and returns
for each one the ``Piece`` of records it completes: NDJSON lines (one element per line, its line breaks turned into
tabs, which JSON reads as blanks between tokens and refuses inside strings) and the ``Flaw`` slots between them. An
element cut by the region's end is carried into the next region, so memory is bounded by the chunk size plus one
record (itself bounded by ``max_record``: a larger element is skipped as it streams and reported by size).

Fast split: in an array of objects the elements are separated by the same bytes every time (``}, {`` from
``json.dumps``, ``},\n  {`` from ``indent=2``...), learnt from the first two elements. A region is cut at its last
separator (``bytes.rfind``) and split at every one with Arrow's substring replacement. The split is kept only
when proven right by ``judge`` (the caller reads the lines with Arrow: a line Arrow reads is a complete JSON
object, so no separator sat inside a record; the few lines it refuses must be proven, ``verified``) or, without
a judge, by ``verified`` on all lines. A judge may only propose (``transform._PieceReader`` splits the next region
before the read that proves this one): where the proof then fails, the caller goes back to a ``checkpoint`` taken
before the region (``restore``) and feeds it again with a judge that proves on the spot. ``verified`` first
deletes escapes and string contents (``translate``), removes innermost bracket pairs until none is left, and wants
only the line breaks to remain (every line balanced, no bracket of the array or the wrapper inside, no bracket
inside a string); a line that fails this (a bracket inside a string) holds when it is one valid JSON value (the
parser, C) or, scanned exactly on its own, ends outside any string or bracket. A refused line that still holds two
elements (a separator written another way) is split exactly by the caller (``resplit``). Where a fast split does
not hold, the region is split exactly up to its last separator before the fast split is tried again (not one
element further: each try reads the whole region).

Rows: a fast run can go to ``judge`` as ``Rows`` instead of lines (``DocumentSplitter.rows``): the run (its line
breaks turned into tabs, as for lines) cut into rows of a JSON object each, ``{"records":[e1, e2, ...]}``, which
Arrow reads with the document's own commas between the elements. That saves the substring replacement and its
copy; Arrow reading every row proves where the rows are cut, and within a row JSON's own grammar splits the
elements (``wrap_rows``). The lines are made from the Rows only when needed (``Rows.lines``, ``Rows.row_lines``:
a string that ends in ``}, {`` holds the separator, so the fast split of a row read whole must still be proven).

After a fast split the rest of a region (the element after its last separator, cut or whole) is carried into the
next region and split with it, so a region gives one run of lines, not one more for its last element.

Exact split: a scan of brackets and strings (``_Value``; not the JSON grammar, so a broken element still ends at its
closing bracket and is judged like a broken NDJSON line). It is used where the fast split does not hold, for the
wrapper around the records, and for the document's last element and what follows it. It reports malformed
structure as a ``Flaw`` with its byte offset: a stray comma, a missing comma, a truncated document, data after the
document.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow.compute as pc

from handler.blob import one_value
from handler.decode import BLANK, HEAD_BYTES, Flaw, loads

__all__ = ["ROWS_KEY", "DocumentSplitter", "Flaw", "NotAnArray", "Piece", "Rows", "resplit", "verified", "wrap_rows"]

TO_TABS = bytes.maketrans(b"\r\n", b"\t\t")
_STRUCTURE = b'"{}[]\n'
# reads a fast split (its lines, and how many when known, or its Rows); None when the split is not proven right
Judge = Callable[["bytes | Rows", int | None], object]
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _STRUCTURE)
_NON_BLANK = re.compile(rb"[^ \t\r\n]")
_NON_BLANK_OR_COMMA = re.compile(rb"[^ \t\r\n,]")
_LINE_BREAK = re.compile(rb"[\r\n]")
# a bracket, a whole string (one search for it, not two), or the quote of a string that goes on past the buffer
_TOKEN = re.compile(rb'[\[\]{}]|"[^"\\]*(?:\\.[^"\\]*)*"|"', re.S)
_QUOTE_OR_ESCAPE = re.compile(rb'["\\]')
_SCALAR_END = re.compile(rb"[ \t\r\n,\[\]{}\"]")
_STRUCTURE_ONLY = json.JSONDecoder()  # where a valid value ends (its numbers are not kept)
_BLANK_TEXT = BLANK.decode()


@dataclass
class Piece:
    """What one region completes, in document order: runs of NDJSON lines (one element each) and flaws."""

    runs: list[bytes | Rows | Flaw] = field(default_factory=list)
    fast: bool = False  # a fast split: a line refused as JSON may hold more than one element (``resplit``)
    results: dict[int, object] = field(default_factory=dict)  # what ``judge`` returned for a fast run, by run
    # lines of the exact scan not yet in ``runs``: joined once into one run (appending to bytes is quadratic)
    pending: list[bytes] = field(default_factory=list)

    def add_line(self, line: bytes) -> None:
        self.pending.append(line)

    def add_run(self, lines: bytes | Rows | Flaw, result: object = None) -> None:
        """A fast run (with what ``judge`` returned for it) or a flaw, after the pending lines."""
        self.close()
        if result is not None:
            self.results[len(self.runs)] = result
        self.runs.append(lines)

    def close(self) -> None:
        if self.pending:
            self.runs.append(b"\n".join(self.pending) + b"\n")
            self.pending = []


class _Value:
    """Where one JSON value ends, resumable across regions: brackets and strings are tracked, nothing else."""

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = False
        self.started = False
        self.scalar = False

    def scan(self, buf: bytes, pos: int) -> tuple[int | None, int]:
        """(end of the value, None when ``buf`` ends first; position to resume at with more bytes)."""
        starting = False
        if not self.started:
            self.started = True
            c = buf[pos : pos + 1]
            if c in (b"{", b"["):
                self.depth, pos = 1, pos + 1
            elif c == b'"':
                self.in_string, pos = True, pos + 1
            else:
                self.scalar, starting = True, True
        if self.scalar:  # a number, a literal, or garbage: at least its first byte, up to a delimiter
            m = _SCALAR_END.search(buf, pos + 1 if starting else pos)
            return (m.start(), m.start()) if m else (None, len(buf))
        while True:
            if self.in_string:
                m = _QUOTE_OR_ESCAPE.search(buf, pos)
                if m is None:
                    return None, len(buf)
                at = m.start()
                if buf[at] == 0x5C:  # backslash: skip the escaped byte
                    if at + 1 >= len(buf):
                        return None, at
                    pos = at + 2
                    continue
                self.in_string, pos = False, at + 1
                if self.depth == 0:
                    return pos, pos
                continue
            m = _TOKEN.search(buf, pos)
            if m is None:
                return None, len(buf)
            c, pos = buf[m.start()], m.end()
            if c == 0x22:
                self.in_string = pos - m.start() == 1  # a lone quote: the string goes on past ``buf``
            elif c in (0x7B, 0x5B):
                self.depth += 1
            else:
                self.depth -= 1
                if self.depth <= 0:
                    return pos, pos


def separator_head(sep: bytes) -> bytes:
    """What every fast-split line starts with: the separator from its ``{`` on (``{``, or ``{"``)."""
    return sep[sep.rindex(b"{") :]


def line_break(sep: bytes) -> bytes:
    """What a separator becomes in a fast split: the end of one line (its ``}``) and the start of the next (the
    separator's head)."""
    return b"}\n" + separator_head(sep)


def split_lines(data: bytes, start: int, end: int, sep: bytes, sep_lines: bytes) -> tuple[bytes, int | None]:
    """NDJSON of ``data[start:end]``, elements separated by ``sep`` and the last one followed by it, and its number
    of lines when the replacement tells it (``sep`` longer than the ``}\n{"`` put in its place), else None.

    Arrow's substring replacement (no GIL, about twice as fast as ``bytes.replace``) runs over the region as one
    value, without copying it in; line breaks, when there are any, are first turned into tabs (``sep_lines`` is
    ``sep`` so turned). Every line starts with the separator's head (``separator_head``; see ``_separator``).
    """
    data, sep = _without_line_breaks(data, start, end, sep, sep_lines)
    head, between = separator_head(sep), line_break(sep)
    out = pc.replace_substring(one_value(data, start, end), sep, between)
    length = pc.binary_length(out)[0].as_py()
    shorter = len(sep) - len(between)  # each replacement shortens the region by this much
    count = (end - start - length) // shorter if shorter else None
    return out.buffers()[2].slice(0, length - len(head)).to_pybytes(), count  # without the last head


ROWS_KEY = "records"
_ROW_OPEN = b'{"records":['
_ROW_BREAK = b']}\n{"records":['
_ROW_CLOSE = b"]}\n"
# about this much of the elements per row: Arrow read 4 MB of rows of 16-64 KB about 2 ms faster than its lines,
# the split included (256 KB: 0.5 ms; 512 KB: 2 ms slower); a row must also fit one of Arrow's 1 MB blocks
ROW_BYTES = 64 << 10


@dataclass(eq=False)
class Rows:
    """A fast run as rows of JSON, each an object holding an array of elements (``{"records":[e1, e2]}``, see
    ``wrap_rows``), for Arrow to read with the document's own commas: no line per element is made.

    Read whole, the rows prove their cuts (each row Arrow reads is one JSON object, so each cut between two rows
    sat between two elements: see ``wrap_rows``), not the fast split within a row: a string that ends in ``}, {``
    holds the separator (``{"n": "a}, {", "id": 1}``). ``lines`` gives the same run as ``split_lines`` would,
    made when Arrow refused a row (the lines are then proven as any fast split's); ``row_lines`` one row's, for
    the elements only the validator may judge (``fast.process_rows`` proves them).
    """

    text: bytes
    sep: bytes
    _lines: tuple[bytes, int] | None = None
    _row_ends: list[int] | None = None  # where each row ends (its line break)

    def lines(self) -> tuple[bytes, int]:
        """The run as NDJSON lines (one element each) and their number."""
        if self._lines is None:
            body = one_value(self.text, len(_ROW_OPEN), len(self.text) - len(_ROW_CLOSE))
            body = pc.replace_substring(body, _ROW_BREAK, b"\n")
            body = pc.replace_substring(body, self.sep, line_break(self.sep))
            lines = body[0].as_py() + b"\n"
            self._lines = lines, lines.count(b"\n")
        return self._lines

    def row(self, k: int) -> bytes:
        """The elements of row ``k`` as the document holds them (``sep`` between them)."""
        if self._row_ends is None:
            ends, at = [], self.text.find(b"\n")
            while at >= 0:
                ends.append(at)
                at = self.text.find(b"\n", at + 1)
            self._row_ends = ends
        start = (self._row_ends[k - 1] + 1 if k else 0) + len(_ROW_OPEN)
        return self.text[start : self._row_ends[k] - len(_ROW_CLOSE) + 1]

    def row_lines(self, k: int) -> bytes:
        """Row ``k`` split at its separators into NDJSON lines (one element each, unless a string holds the
        separator: see ``Rows``)."""
        return self.row(k).replace(self.sep, line_break(self.sep)) + b"\n"


def wrap_rows(data: bytes, start: int, end: int, sep: bytes) -> Rows:
    """``data[start:end]`` (elements separated by ``sep``, the last one followed by it, no line break) as ``Rows``.

    The region is cut at a separator every ``ROW_BYTES`` or so: the separator's comma and blanks make way for the
    end of one row and the start of the next (``]}\n{"records":[``), and the bytes are copied once, by one join.
    A cut that sat inside a string leaves its row ending inside that string, and one that sat inside an element
    leaves brackets of the row open (its ``]}`` then close the element's, not the row's): Arrow refuses such a
    row. So when Arrow reads every row, each cut sat between two elements, and within a row JSON's own grammar
    split the elements: the split is the exact scan's.
    """
    head = len(separator_head(sep))
    last = end - len(sep)  # the separator after the run's last element
    view = memoryview(data)
    pieces: list[bytes | memoryview] = [_ROW_OPEN]
    at = start
    while at + ROW_BYTES < last:
        cut = data.find(sep, at + ROW_BYTES, last)
        if cut < 0:
            break
        pieces += (view[at : cut + 1], _ROW_BREAK)
        at = cut + len(sep) - head
    pieces += (view[at : last + 1], _ROW_CLOSE)
    return Rows(b"".join(pieces), sep)


def _without_line_breaks(data: bytes, start: int, end: int, sep: bytes, sep_lines: bytes) -> tuple[bytes, bytes]:
    """``data`` and ``sep``, both with their line breaks turned into tabs when ``data[start:end]`` holds one (JSON
    reads them as blanks between tokens and refuses them inside strings). The whole of ``data`` is translated, in
    place of a copy of the slice first: offsets stay the same."""
    if data.find(b"\n", start, end) >= 0 or data.find(b"\r", start, end) >= 0:
        return data.translate(TO_TABS), sep_lines
    return data, sep


def verified(lines: bytes) -> bool:
    """Whether every line of a fast split ends outside any string or bracket it opened (see module).

    The cheap test first, over all lines at once; a line it cannot prove (a bracket inside a string) is proven by
    the JSON parser when it is one valid value, else scanned exactly (``_closed``), so a record such as
    ``{"note": "yes {maybe}"}`` keeps its region on the fast split.
    """
    if _balanced(lines):
        return True
    return all(_balanced(line) or _one_json_value(line) or _closed(line) for line in lines.split(b"\n")[:-1])


def _balanced(lines: bytes) -> bool:
    """Escapes and string contents deleted, innermost bracket pairs removed until none is left: only line breaks
    remain (every line balanced, no bracket of the array or the wrapper inside, no bracket inside a string)."""
    s = lines.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in s:
        return False
    while True:
        t = s.replace(b"{}", b"").replace(b"[]", b"")
        if len(t) == len(s):
            break
        s = t
    return s.count(b"\n") == len(s)


def _closed(line: bytes) -> bool:
    """Whether the exact scan of ``line`` (values one after another) ends outside any string or bracket, and
    closes none it did not open (the array's ``]``: what follows it is not a record).

    A fast-split line starts where an element starts (the line before it ended so), so such a line ends where
    an element ends: a separator cut it nowhere inside a record. More than one element on it is ``resplit``.
    """
    pos = 0
    while True:
        m = _NON_BLANK_OR_COMMA.search(line, pos)
        if m is None:
            return True
        if line[m.start()] in b"]}":
            return False
        end, _ = _Value().scan(line, m.start())
        if end is None:
            return False
        pos = end


def element_line(raw: bytes) -> bytes:
    return raw.strip(BLANK).translate(TO_TABS)


def _separator(data: bytes, start: int, end: int) -> bytes | None:
    """The bytes between an object element ending at ``end`` and the next, as a fast-split pattern, or None.

    The pattern runs from the first element's ``}`` to the next one's ``{``, and on to the quote of its first key
    when only spaces or tabs come between (its head, ``{"``): a string holds no unescaped quote, so ``}, {"`` is
    found inside one only where the string ends in ``}, {`` (records holding JSON text, such as ``"[{\\"a\\": 1},
    {\\"b\\": 2}]"``, keep the fast split). A pattern with a line break needs no head: no string holds one.
    """
    if data[end - 1 : end] != b"}" or data[start : start + 1] != b"{":
        return None
    comma = _NON_BLANK.search(data, end)
    if comma is None or data[comma.start() : comma.start() + 1] != b",":
        return None
    nxt = _NON_BLANK.search(data, comma.start() + 1)
    if nxt is None or data[nxt.start() : nxt.start() + 1] != b"{":
        return None
    key = _NON_BLANK.search(data, nxt.start() + 1)
    if key is not None and data[key.start()] == 0x22 and not _LINE_BREAK.search(data, end, key.start()):
        return data[end - 1 : key.start() + 1]
    return data[end - 1 : nxt.start() + 1]


class DocumentSplitter:
    """Feed the payload of one document region by region (``feed``); each call returns the Piece it completes.

    ``mode``: ``start`` (before the first byte), ``array`` (in the records), ``wrapper`` (walking the object around
    ``records_path``), ``single`` (the document is one record), ``after`` (only blanks may follow), ``no_path`` (the
    wrapper closed without ``records_path``: it is one record), ``done`` (a flaw ended the document).
    """

    def __init__(self, records_path: str | None, max_record: int, judge: Judge | None = None) -> None:
        self.judge = judge
        self.rows = False  # whether a fast run goes to ``judge`` as Rows, not lines (``transform`` sets it)
        self.path = records_path.split(".") if records_path else []
        self.max_record = max_record
        self.carry = b""
        self.offset = 0  # of carry[0] in the payload
        self.mode = "start"
        self.fast_split = True
        self.sep: bytes | None = None
        self.sep_lines = b""
        self.sep_head = b""
        self.exact_to = 0  # the payload offset before which the fast split is not tried again (it failed there)
        self.array_expect = "value"  # value or comma
        self.after_comma = False
        self.in_wrapper = False  # the records array sits in a wrapper object
        self.sequence = False  # the document is one value, or values one after another
        self.keys: list[str] = []  # the objects on records_path the walk is inside (below the top one)
        self.expect = "key"  # key, colon, value or comma, in the wrapper
        self.key: object = None
        self.whole: bytes | None = b""  # the wrapper so far, while it may turn out to be one record
        # the value being scanned: an element, the single record, or a wrapper member being skipped
        self.value: _Value | None = None
        self.value_kind = ""
        self.value_start = 0  # in the current data
        self.value_resume = 0  # from value_start
        self.value_offset = 0  # in the payload
        self.skipped = 0  # bytes of the value dropped so far (oversized, or a wrapper member)
        self.skip_head = b""

    def checkpoint(self) -> dict:
        """The splitter's state, for ``restore``: a region can be fed again as if the later ones never were."""
        state = dict(vars(self))
        state["keys"] = list(self.keys)
        state["value"] = copy.copy(self.value)
        return state

    def restore(self, state: dict) -> None:
        """Go back to a ``checkpoint`` (its judge included)."""
        self.__dict__.update(state)
        self.keys = list(self.keys)
        self.value = copy.copy(self.value)

    def feed(self, region: bytes | list[bytes], final: bool) -> Piece:
        """The Piece that ``region`` (bytes, or a list of blocks that follow one another) completes."""
        blocks = [region] if isinstance(region, bytes) else region
        # one copy: the carried element and the blocks joined together
        data = blocks[0] if len(blocks) == 1 and not self.carry else b"".join([self.carry, *blocks])
        piece = Piece()
        if self.whole is not None and self.mode in ("start", "wrapper"):
            size = len(data) - len(self.carry)
            self.whole = self.whole + data[len(self.carry) :] if len(self.whole) + size <= self.max_record else None
        pos = 0
        while True:
            if (
                self.fast_split
                and self.mode == "array"
                and self.value is None
                and self.array_expect == "value"
                and self.offset + pos >= self.exact_to
            ):
                split_to = self._fast(data, pos, piece)
                if split_to > pos and not final:  # the element after the last separator starts the next region's
                    pos = split_to  # split, instead of being read apart as a run of its own
                    break
                pos = split_to
            pos, more = self._step(data, pos, final, piece)
            if not more:
                break
        self.offset += pos
        self.carry = data[pos:]
        if final:
            self._finish(piece)
        piece.close()
        return piece

    # ------------------------------------------------------------------ fast split

    def _fast(self, data: bytes, pos: int, piece: Piece) -> int:
        start = _NON_BLANK.search(data, pos)
        if start is None or data[start.start()] != 0x7B:
            return pos
        pos = start.start()
        if self.sep is None:
            end, _ = _Value().scan(data, pos)
            self.sep = _separator(data, pos, end) if end is not None else None
            if self.sep is None:
                return pos
            self.sep_lines = self.sep.translate(TO_TABS)
            self.sep_head = separator_head(self.sep)
        cut = data.rfind(self.sep, pos)
        # where the split does not hold, the exact scan goes on to the region's last separator (or its end) before
        # the fast split is tried again, not one element further: each try costs the whole region
        self.exact_to = self.offset + (cut if cut >= 0 else len(data))
        if cut < 0 or cut + 1 - pos > 2 * self.max_record:
            return pos
        end = cut + len(self.sep)
        run: bytes | Rows
        if self.rows and self.judge is not None and end - pos <= self.max_record:  # no element over max_record
            text, sep = _without_line_breaks(data, pos, end, self.sep, self.sep_lines)
            run, count = wrap_rows(text, pos, end, sep), None
        else:
            run, count = split_lines(data, pos, end, self.sep, self.sep_lines)
            if _too_long(run, self.max_record):
                return pos
        result = None
        if self.judge is None:
            if not verified(run):
                return pos
        else:
            result = self.judge(run, count)
            if result is None:
                return pos
        self.exact_to = 0
        piece.add_run(run, result)
        piece.fast = True
        self.after_comma = True
        return cut + len(self.sep) - len(self.sep_head)  # the next element's "{"

    # ------------------------------------------------------------------ exact scan

    def _flaw(self, piece: Piece, offset: int, expected: str, got: str, text: bytes | None = None) -> None:
        shown = text.decode("utf-8", errors="replace") if text is not None else None
        piece.add_run(Flaw(expected, f"{got} at byte {offset}", shown))

    def _step(self, data: bytes, pos: int, final: bool, piece: Piece) -> tuple[int, bool]:
        """Advance the exact scan by one token or value: (new position, whether to go on in this region)."""
        if self.value is not None:
            return self._value(data, final, piece)
        m = _NON_BLANK.search(data, pos)
        if m is None:
            return len(data), False
        at = m.start()
        c = data[at : at + 1]
        where = self.offset + at
        if self.mode == "start":
            if c == b"[":
                self.mode, self.whole = "array", None
                return at + 1, True
            if c == b"{" and self.path:
                self.mode = "wrapper"
                return at + 1, True
            self.mode, self.whole, self.sequence = "single", None, True
            self._begin(data, at, "record")
            return at, True
        if self.mode == "array":
            if self.array_expect == "value":
                if c == b"]":
                    if self.after_comma:
                        self._flaw(piece, where, "an element after ','", "']'")
                    return self._array_closed(at + 1)
                if c == b",":
                    self._flaw(piece, where, "an array element", "a stray ','")
                    self.after_comma = True
                    return at + 1, True
                self._begin(data, at, "record")
                return at, True
            if c == b",":
                self.array_expect, self.after_comma = "value", True
                return at + 1, True
            if c == b"]":
                return self._array_closed(at + 1)
            self._flaw(piece, where, "',' or ']' after an element", _shown(c))
            self.array_expect, self.after_comma = "value", False
            return at, True
        if self.mode == "wrapper":
            return self._wrapper(data, at, c, piece)
        if self.mode == "after" and self.sequence:  # values one after another (JSON lines, whatever the breaks)
            self._begin(data, at, "record")
            self.mode = "single"
            return at, True
        if self.mode in ("after", "no_path"):
            self._flaw(piece, where, "nothing after the document", _shown(c))
            self.mode = "done"
        return len(data), False  # done: the rest was reported once

    def _begin(self, data: bytes, at: int, kind: str) -> None:
        self.value, self.value_kind = _Value(), kind
        self.value_start, self.value_resume, self.value_offset = at, 0, self.offset + at
        self.skipped, self.skip_head = 0, b""

    def _value(self, data: bytes, final: bool, piece: Piece) -> tuple[int, bool]:
        value = self.value
        assert value is not None
        start = self.value_start
        end, resume = value.scan(data, start + self.value_resume)
        if end is None and final and value.scalar:
            end = len(data)
        if end is not None:
            self.value = None
            self._value_ended(piece, data[start:end], self.skipped + end - start)
            return end, True
        if final:
            self.value = None
            if self.value_kind == "member":
                self._flaw(piece, self.value_offset, "the rest of the document", "the document ends inside the wrapper")
            else:
                head = self.skip_head or data[start : start + HEAD_BYTES]
                self._flaw(piece, self.value_offset, "a complete JSON value",
                           "the document ends inside this element (truncated)", head)  # fmt: skip
            self.mode = "done"
            return len(data), False
        if self.skipped or self.value_kind == "member" or self.skipped + resume - start > self.max_record:
            if not self.skipped and self.value_kind != "member":
                self.skip_head = data[start : start + HEAD_BYTES]
            self.skipped += resume - start
            self.value_start, self.value_resume = 0, 0
            return resume, False  # drop what was scanned
        self.value_start, self.value_resume = 0, resume - start
        return start, False  # carry the value into the next region

    def _value_ended(self, piece: Piece, raw: bytes, size: int) -> None:
        if self.value_kind == "member":
            self.expect = "comma"
            return
        if size > self.max_record:
            head = self.skip_head or raw[:HEAD_BYTES]
            self._flaw(piece, self.value_offset, f"a record of at most {self.max_record} bytes (MAX_RECORD_BYTES)",
                       f"{size} bytes", head)  # fmt: skip
        else:
            piece.add_line(element_line(raw))
        if self.mode == "single":
            self.mode = "after"
        else:
            self.array_expect, self.after_comma = "comma", False

    def _array_closed(self, pos: int) -> tuple[int, bool]:
        if self.in_wrapper:
            self.mode, self.expect = "wrapper", "comma"
        else:
            self.mode = "after"
        return pos, True

    # ------------------------------------------------------------------ the wrapper around records_path

    def _wrapper(self, data: bytes, at: int, c: bytes, piece: Piece) -> tuple[int, bool]:
        where = self.offset + at
        if self.expect == "key":
            if c == b"}":
                return self._object_closed(at + 1)
            if c != b'"':
                return self._broken(piece, where, "a key in the wrapper object", c, data)
            end, _ = _Value().scan(data, at)
            if end is None:
                return at, False  # the key continues in the next region
            try:
                self.key = loads(data[at:end].decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self.key = None
            self.expect = "colon"
            return end, True
        if self.expect == "colon":
            if c != b":":
                return self._broken(piece, where, "':' after a key", c, data)
            self.expect = "value"
            return at + 1, True
        if self.expect == "value":
            depth = len(self.keys) + 1
            on_path = [*self.keys, self.key] == self.path[:depth]
            if on_path and depth == len(self.path):
                if c != b"[":
                    raise NotAnArray(f"records_path {'.'.join(self.path)!r} holds {_kind(c)}, expected an array")
                self.mode, self.whole, self.in_wrapper = "array", None, True
                self.array_expect, self.after_comma = "value", False
                return at + 1, True
            if on_path and c == b"{":
                self.keys.append(str(self.key))
                self.expect = "key"
                return at + 1, True
            self._begin(data, at, "member")
            return at, True
        if c == b",":
            self.expect = "key"
            return at + 1, True
        if c == b"}":
            return self._object_closed(at + 1)
        return self._broken(piece, where, "',' or '}' in the wrapper object", c, data)

    def _broken(self, piece: Piece, where: int, expected: str, c: bytes, data: bytes) -> tuple[int, bool]:
        self._flaw(piece, where, expected, _shown(c))
        self.mode, self.whole = "done", None
        return len(data), False

    def _object_closed(self, pos: int) -> tuple[int, bool]:
        if self.keys:
            self.keys.pop()
            self.expect = "comma"
        else:
            self.mode = "after" if self.in_wrapper else "no_path"
        return pos, True

    def _finish(self, piece: Piece) -> None:
        """The payload ended: report what is left open; a wrapper without ``records_path`` is one record."""
        if self.mode == "no_path":
            if self.whole is None:
                self._flaw(piece, 0, f"a record of at most {self.max_record} bytes (MAX_RECORD_BYTES)",
                           "a larger document without the records_path array")  # fmt: skip
            else:
                piece.add_line(element_line(self.whole))
        elif self.mode in ("array", "wrapper"):
            self._flaw(piece, self.offset + len(self.carry), "the rest of the document",
                       "the document ends before it closes (truncated)")  # fmt: skip
        self.mode = "done"


class NotAnArray(ValueError):
    """``records_path`` names a value that is not an array (the whole object is unreadable)."""


def _kind(c: bytes) -> str:
    return {b"{": "an object", b'"': "a string", b"t": "a boolean", b"f": "a boolean", b"n": "null"}.get(c, "a number")


def _shown(c: bytes) -> str:
    return repr(c.decode("latin-1"))


def _too_long(lines: bytes, limit: int) -> bool:
    if len(lines) <= limit:
        return False
    start = 0
    while start < len(lines):
        nl = lines.find(b"\n", start)
        if nl - start > limit:
            return True
        start = nl + 1
    return False


def _one_json_value(line: bytes) -> bool:
    """Whether ``line`` is one valid JSON value and blanks: the exact scan then finds one element in it (it tracks
    the same strings and brackets the parser does)."""
    try:
        text = line.decode("utf-8")
        _, end = _STRUCTURE_ONLY.raw_decode(text, len(text) - len(text.lstrip(_BLANK_TEXT)))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return not text[end:].strip(_BLANK_TEXT)


def resplit(line: bytes) -> list[bytes | Flaw] | None:
    """The elements of one fast-split line that JSON refused, split exactly; None when it is a single element.

    Most refused lines are one valid JSON object Arrow refused for a type: the JSON parser (C) proves those are
    one element about 10x faster than the exact scan, which splits the others.
    """
    return None if _one_json_value(line) else exact_elements(line)


def exact_elements(line: bytes) -> list[bytes | Flaw] | None:
    """The elements of ``line`` as the exact scan splits them; None when it finds a single element."""
    splitter = DocumentSplitter(None, len(line) + 1)
    splitter.mode, splitter.whole, splitter.fast_split = "array", None, False
    piece = splitter.feed(line + b"]", final=True)
    items: list[bytes | Flaw] = []
    for run in piece.runs:
        items.extend(run.split(b"\n")[:-1] if isinstance(run, bytes) else [run])
    return items if len(items) > 1 else None
