"""The document path costs time in proportion to its input, whatever holds its fast split back.

Three ways it once went quadratic, each found with real-looking records: a refused record with a bracket inside a
string (every element re-judged the rest of its region), an unparseable element (its run rebuilt by appending
bytes), and a region split exactly (its lines appended to one bytes object). Work is counted where it can be
(judge calls); elsewhere the time of 8x the records is compared with 8x the time of one share, measured in the
same test (a ratio, never bare seconds).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import run, user

from handler.elements import DocumentSplitter, verified


def elements(n: int, every: int, **over) -> list[bytes]:
    """``n`` user records; every ``every``-th one from the fourth has ``over`` set in its user object."""
    out = []
    for i in range(n):
        rec = user(i)
        if i >= 3 and (i - 3) % every == 0:
            rec["user"].update(over)
        out.append(json.dumps(rec).encode())
    return out


def array(items: list[bytes]) -> bytes:
    return b"[" + b", ".join(items) + b"]"


def split(data: bytes, judge) -> list[bytes]:
    """Every element line the splitter gives for ``data`` fed as one region."""
    piece = DocumentSplitter(None, 1 << 20, judge).feed(data, final=True)
    return [line for run in piece.runs if isinstance(run, bytes) for line in run.split(b"\n")[:-1]]


def test_a_failed_fast_split_is_not_tried_again_for_every_element_of_its_region():
    items = elements(2000, 1000, note="x}, {")  # the separator inside a string (at its end): the split cannot hold
    calls = []

    def judge(lines: bytes, count):
        calls.append(len(lines))
        return True if verified(lines) else None

    lines = split(array(items), judge)
    assert [json.loads(line.replace(b"\t", b" ")) for line in lines] == [json.loads(i) for i in items]
    assert len(calls) <= 4, f"{len(calls)} judge calls over one region"


def test_a_refused_record_with_a_bracket_inside_a_string_keeps_its_region_on_the_fast_split():
    items = elements(2000, 100, active="yes {maybe}")
    calls = []

    def judge(lines: bytes, count):
        calls.append(len(lines))
        return True if verified(lines) else None

    lines = split(array(items), judge)
    assert len(lines) == 2000
    assert len(calls) == 1  # one region, one fast split, proven


def test_records_holding_json_text_keep_the_fast_split():
    items = elements(2000, 1, note=json.dumps([{"a": 1}, {"b": "}, {"}]))  # every record: "[{\"a\": 1}, {..."

    def judge(lines: bytes, count):
        return True if verified(lines) else None

    piece = DocumentSplitter(None, 1 << 20, judge).feed(array(items), final=True)
    assert piece.results == {0: True}  # one fast run, proven: all elements but the last (split exactly)
    assert piece.runs[0].count(b"\n") == 1999 and piece.runs[1].count(b"\n") == 1
    lines = [line for run in piece.runs for line in run.split(b"\n")[:-1]]
    assert [json.loads(line) for line in lines] == [json.loads(i) for i in items]


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _grows_linearly(make, measure) -> None:
    """``measure`` of 8x the input within 2x of 8 times one share (quadratic work: about 8x)."""
    small, large = make(1500), make(12000)
    measure(small)  # warm up
    one = min(_seconds(lambda: measure(small)) for _ in range(3))
    eight = min(_seconds(lambda: measure(large)) for _ in range(2))
    assert eight < 16 * one, f"8x the input took {eight / one:.1f}x as long"


def test_an_exactly_split_document_is_split_in_linear_time():
    def make(n):  # one separator inside a string per region: every region is split exactly
        return array(elements(n, n, note="x}, {"))

    _grows_linearly(make, lambda data: split(data, None))


def test_unparseable_elements_cost_no_more_than_elements_of_the_wrong_type():
    items = elements(24000, 24000)  # about 9 MB, read as one region

    def bad(old: bytes, new: bytes) -> bytes:  # 1% of the elements mutated
        return array([i.replace(old, new, 1) if k % 100 == 3 else i for k, i in enumerate(items)])

    unparseable = bad(b'"age": ', b'"age": +')  # not JSON: a number written with a plus sign
    wrong_type = bad(b'"age": ', b'"age": "x", "y": ')  # JSON, but the age is a string

    def measure(data):
        staged = run(data, chunk_bytes=16 << 20)[0]
        assert staged.quarantined == 240

    measure(unparseable)  # warm up
    slow = min(_seconds(lambda: measure(unparseable)) for _ in range(3))
    base = min(_seconds(lambda: measure(wrong_type)) for _ in range(3))
    assert slow < 2 * base, f"unparseable elements took {slow / base:.1f}x as long as elements of the wrong type"
