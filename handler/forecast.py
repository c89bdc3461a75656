"""What the chunks already read tell about the next ones: which lines Arrow will refuse, and how often.

Arrow names the column and the kind of value it met when it refuses a line ("Column(/user/id) changed from
number to string in row 3"). Producers repeat their mistakes, so once a column has been refused for a kind, the
lines of the next chunks in which that key is followed by a value of that kind are *predicted*: they are taken
out before streaming and judged by the validator, instead of costing a refusal each (a re-opened stream and a
re-parsed block). A syntax mistake names no column ("Invalid value"): the lines Arrow refused are read instead,
and a key followed by what cannot start a JSON value (``"age": +42``, single quotes, Python's ``None``) is
predicted the same way (``syntax_pattern``). The refusals still met set the next chunk's block size: small
blocks when refusals are frequent (each wastes about half a block), large ones when they are rare (each block has
a fixed cost). When the
last ``CLEAN_STREAK`` chunks met none once their predicted lines were out (``expects_no_refusal``: a producer whose
mistakes are all of kinds already seen), the next is read whole, in one multi-threaded call, instead of streamed;
a refusal then wastes that read, so one clean chunk among refused ones is not enough.

A prediction is a guess, never a verdict: a predicted line goes to the validator, which is the authority, so a
wrong guess costs time, never a row. A guess that is mostly wrong (the key also names another field whose values
are of that kind) is dropped for the rest of the object: a few of the lines it picks in each chunk must hold a
value of the refused kind at the refused column (or be no JSON at all), which is why Arrow refused it. That is
checked by parsing those lines in Python, not by asking Arrow to read each one: a one-line read hands its block
to Arrow's I/O thread, and when both cores are busy that wait was 3.8 ms, three of them per chunk, on the reading
thread that every other thread waits for. A ``Forecast`` belongs to one object and is used by one thread, in chunk
order, so what it predicts depends only on the input.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from decimal import Decimal

from handler.decode import loads, parse_line
from handler.locate import Lines

_REFUSAL = re.compile(r"Column\(((?:/[^()]*)+)\) changed from [a-z_]+ to ([a-z_]+)")
_KEY = re.compile(r"[A-Za-z0-9_$@.-]+")  # keys written literally in a pattern (others are never predicted)
_VALUE_START = {"string": '"', "number": "[-0-9]", "boolean": "[tf]", "array": r"\[", "object": r"\{"}
_PYTHON_KIND = {"string": str, "boolean": bool, "array": list, "object": dict}  # numbers: int or Decimal
_GAP = r"[ \t\r]*"

CLEAN_STREAK = 3  # chunks in a row without a refusal (once predicted lines are out) before one is read whole
SAMPLE = 3  # picks per pattern and chunk that must hold the refused value, in the majority, to use the pattern
MIN_BLOCK = 64 << 10
MAX_BLOCK = 1 << 20
# Arrow's fixed cost per streamed block, in bytes parsed, while the other threads keep both cores busy (each block
# waits for Arrow's I/O thread): 20 KB measured on an idle machine, but 80-640 KB were all 3-4% faster than 20 KB
# on 1% bad lines in the running handler (bench/README.md, tenth session), and the same at 5%
BLOCK_COST = 128 << 10


Column = tuple[tuple[str, ...], str]  # (the keys from the top of the record, the kind of value Arrow refused there)


def refused_column(message: str) -> Column | None:
    """The column and the kind of value Arrow's refusal ``message`` names, or None:
    ``Column(/user/id) changed from number to string`` gives ``(("user", "id"), "string")``."""
    m = _REFUSAL.search(message)
    if m is None or m.group(2) not in _VALUE_START:
        return None
    return tuple(m.group(1).split("/")[1:]), m.group(2)


def column_pattern(column: Column) -> str | None:
    """The regular expression (RE2 and ``re``) of the refused ``column``'s key followed by a value of its kind, or
    None: refusals inside lists (``/tags/[]``) and keys that are not plain names have no pattern."""
    path, kind = column
    if not _KEY.fullmatch(path[-1]):
        return None
    return _key_then(path[-1], _VALUE_START[kind])


def _key_then(key: str, value_start: str) -> str:
    """The pattern of ``key`` (written literally) followed by a value starting with ``value_start`` (a pattern)."""
    return f'"{re.escape(key)}"{_GAP}:{_GAP}{value_start}'


def refusal_pattern(message: str) -> str | None:
    """The pattern of the key/value pair Arrow's refusal ``message`` names (``column_pattern``), or None:
    ``Column(/user/id) changed from number to string`` gives ``"id"`` followed by a string; conversions (no column
    named) give None."""
    column = refused_column(message)
    return column_pattern(column) if column is not None else None


# Where a value should start, what JSON allows: a string, an object, an array, a number, true, false, null
_VALUE_FIRST = set('"{[-0123456789tfn')
_KEY_BEFORE = re.compile(f'"({_KEY.pattern})"{_GAP}:{_GAP}\\Z')


def syntax_pattern(line: bytes) -> str | None:
    """The pattern of a key followed by what cannot start a JSON value, when that is why ``line`` is no JSON, else
    None: ``{"age": +42}`` gives ``"age"`` followed by ``+``. A producer that writes one such value (a plus sign,
    single quotes, Python's ``None`` or ``True``) usually writes it in every record; Arrow's refusal names no column
    ("Invalid value"), so the line itself is read."""
    try:
        text = line.decode("utf-8")
        loads(text)
    except json.JSONDecodeError as exc:
        pos = exc.pos
        if pos >= len(text) or text[pos] in _VALUE_FIRST or not "!" <= text[pos] <= "~":
            return None
        key = _KEY_BEFORE.search(text, max(0, pos - 256), pos)
        if key is None:
            return None
        return _key_then(key.group(1), re.escape(text[pos]))
    except (ValueError, RecursionError):
        return None
    return None


def holds_refused_value(line: bytes, columns: Iterable[Column]) -> bool:
    """Whether Arrow refuses ``line`` for one of ``columns``: it is no JSON, or holds a value of the refused kind
    at one of them (a number is an int or a ``Decimal`` as ``parse_line`` gives it, never a bool)."""
    try:
        record = parse_line(line)
    except (ValueError, RecursionError):
        return True
    for path, kind in columns:
        value = record
        for key in path:
            if not isinstance(value, dict) or key not in value:
                break
            value = value[key]
        else:
            if kind == "number":
                if isinstance(value, int | Decimal) and not isinstance(value, bool):
                    return True
            elif isinstance(value, _PYTHON_KIND[kind]):
                return True
    return False


def block_size(size: int, refusals: float | None) -> int:
    """The stream block for ``size`` bytes expected to hold ``refusals`` refusals (None: unknown, the smallest).

    A refusal re-parses about half a block; every block costs ``BLOCK_COST``. Their sum is least at
    sqrt(2 * size * BLOCK_COST / refusals), taken to the power of two below, within [MIN_BLOCK, MAX_BLOCK].
    """
    if refusals is None:
        return MIN_BLOCK
    if refusals <= 0:
        return MAX_BLOCK
    best = math.sqrt(2 * size * BLOCK_COST / refusals)
    return max(MIN_BLOCK, min(MAX_BLOCK, 1 << int(math.log2(best))))


class Forecast:
    """Refusal patterns and the refusal rate learnt from one object's chunks so far."""

    def __init__(self) -> None:
        self.patterns: dict[str, set[Column]] = {}  # pattern -> the columns refused that it stands for
        self.retired: set[str] = set()
        self._rate: float | None = None  # refusals per byte in the last isolated chunk
        self._clean = 0  # isolated chunks in a row, up to the last one, that met no refusal

    def learn(self, messages: Iterable[str]) -> None:
        """Take the patterns named by Arrow's refusal ``messages`` (those not dropped before)."""
        for message in messages:
            column = refused_column(message)
            pattern = column_pattern(column) if column is not None else None
            if pattern is not None and pattern not in self.retired:
                self.patterns.setdefault(pattern, set()).add(column)

    def learn_lines(self, refused: Iterable[bytes]) -> None:
        """Take the patterns of the syntax mistakes (``syntax_pattern``) in lines Arrow refused (those not dropped
        before). Such a pattern stands for no column: a line it picks must be no JSON to keep it."""
        for line in refused:
            pattern = syntax_pattern(line)
            if pattern is not None and pattern not in self.retired:
                self.patterns.setdefault(pattern, set())

    def record(self, refusals: int, size: int) -> None:
        """``refusals`` were met streaming a chunk of ``size`` bytes (after the predicted lines were taken out)."""
        self._rate = refusals / max(size, 1)
        self._clean = 0 if refusals else self._clean + 1

    @property
    def expects_no_refusal(self) -> bool:
        """Whether the last ``CLEAN_STREAK`` chunks met no refusal once their predicted lines were taken out."""
        return self._clean >= CLEAN_STREAK

    def block_size(self, size: int) -> int:
        return block_size(size, None if self._rate is None else self._rate * size)

    def predict(self, lines: Lines, skip: Iterable[int]) -> list[int]:
        """The lines (ascending, none in ``skip``) a pattern picks, for the patterns still right about this chunk.

        A pattern is dropped when most of its sampled picks hold no value of the kind refused at its columns
        (``holds_refused_value``): Arrow would read them. Lines in ``skip`` (blank, unframed) are never sampled nor
        returned.
        """
        if not self.patterns:
            return []
        skipped = set(skip)
        predicted: set[int] = set()
        for pattern in sorted(self.patterns):
            # the spans are searched from the key's first character: a quote is on every line, many times
            picks = [k for k in lines.matching(pattern, prefilter=pattern[1:]) if k not in skipped]
            if not picks:
                continue
            sample = [picks[i * len(picks) // min(SAMPLE, len(picks))] for i in range(min(SAMPLE, len(picks)))]
            columns = self.patterns[pattern]
            if 2 * sum(holds_refused_value(lines.line(k), columns) for k in sample) > len(sample):
                predicted.update(picks)
            else:
                del self.patterns[pattern]
                self.retired.add(pattern)
        return sorted(predicted)
