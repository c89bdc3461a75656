"""JSON documents streamed record by record: arrays, single objects, records_path wrappers, malformed structure."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import TWEETS, USERS, ndjson, run, user

from contracts import load_contract
from handler import elements, transform
from handler.elements import (
    DocumentSplitter,
    Flaw,
    _balanced,
    _closed,
    exact_elements,
    resplit,
    split_lines,
    verified,
    wrap_rows,
)
from handler.fast import ChunkResult, read_ndjson, read_rows
from handler.plan import Plan
from handler.records import Rejection

A, B, C = (json.dumps(user(i)).encode() for i in range(3))
WRAPPED = Plan.of(dataclasses.replace(load_contract("users", 1), records_path="data.records"))


def outcome(data: bytes, plan: Plan = USERS, **kw):
    staged, rows, report, _ = run(data, plan, **kw)
    assert staged.records_in == staged.written + staged.quarantined
    return staged, [(r.get("index", r.get("line")), r["expected"], r["got"]) for r in report], rows


@pytest.mark.parametrize(
    ("data", "written", "flaw"),
    [
        (b"[" + A + b", " + B + b", " + C, 3, (3, "the rest of the document", "truncated) at byte 1093")),
        (b"[" + A + b", " + B[:40], 1, (1, "a complete JSON value", "ends inside this element (truncated) at byte 350")),
        (b"[" + A + b",, " + B + b", " + C + b"]", 3, (1, "an array element", "a stray ',' at byte 349")),
        (b"[" + A + b", " + B + b", " + C + b",]", 3, (3, "an element after ','", "']' at byte 1094")),
        (b"[" + A + b" " + B + b", " + C + b"]", 3, (1, "',' or ']' after an element", "'{' at byte 349")),
        (b"[" + A + b", " + B + b"] xx", 2, (2, "nothing after the document", "'x' at byte 723")),
    ],
    ids=["truncated-after-element", "truncated-inside-element", "stray-comma", "trailing-comma", "missing-comma",
         "data-after"],
)  # fmt: skip
def test_malformed_structure_is_reported_with_its_position_and_the_records_before_it_are_written(data, written, flaw):
    staged, report, _ = outcome(data)
    assert staged.written == written and staged.unreadable is None
    assert [(i, e, g[-len(flaw[2]) :]) for i, e, g in report] == [flaw]


def test_a_non_object_element_is_quarantined_by_its_index_and_the_rest_is_read():
    staged, report, _ = outcome(b"[" + A + b", 5, null, " + B + b"]")
    assert staged.written == 2
    assert [(i, e) for i, e, _ in report] == [(1, "object"), (2, "object")]


def test_array_single_object_and_records_path_give_the_rows_of_the_same_ndjson():
    records = [user(i) for i in range(50)]
    _, _, expected = outcome(ndjson(records))
    assert outcome(json.dumps(records).encode())[2] == expected
    assert outcome(json.dumps(records, indent=2).encode())[2] == expected
    assert outcome(("[\n" + ",\n".join(map(json.dumps, records)) + "\n]").encode())[2] == expected
    wrapper = {"meta": {"n": [1, {"x": "]"}]}, "data": {"records": records}, "tail": [{"a": 1}, {"b": 2}]}
    assert outcome(json.dumps(wrapper).encode(), WRAPPED)[2] == expected
    single = outcome(json.dumps(records[0], indent=2).encode())
    assert single[0].written == 1 and single[0].format == "document"


def test_elements_separated_another_way_are_split_from_the_line_arrow_refused():
    records = [user(i) for i in range(60)]
    records[40]["user"]["id"] = "x"  # a bad record in the same region: its run is dirty
    items = [json.dumps(r).encode() for r in records]
    seps = [b"},{" if i in (10, 11, 30) else b"}, {" for i in range(len(items) - 1)]  # the first two teach "}, {"
    data = b"[" + items[0] + b"".join(sep[1:-1] + item for sep, item in zip(seps, items[1:], strict=True)) + b"]"
    staged, report, rows = outcome(data)
    _, lines_report, expected = outcome(ndjson(records))
    assert staged.written == 59 and rows == expected
    assert report == [(line - 1, e, g) for line, e, g in lines_report] == [(40, "int64", "string 'x'")]


def test_documents_stream_in_chunks_equal_to_one_read():
    records = [user(i, note="}, {" if i % 7 == 0 else "x") for i in range(120)]
    data = json.dumps(records).encode()
    whole = outcome(data, chunk_bytes=1 << 24)
    for chunk in (1 << 10, 16 << 10):
        assert outcome(data, chunk_bytes=chunk)[2] == whole[2]
        assert outcome(data, chunk_bytes=chunk, fast=False)[2] == whole[2]


def test_a_fast_split_that_does_not_hold_is_split_again_with_the_regions_split_ahead_of_its_read(monkeypatch):
    """Regions are split ahead of the reads that prove their fast splits. Where one does not hold (``}, {"`` ends a
    string), the splitter goes back to its state before that region and splits again from there: the rows and the
    report are those of the same NDJSON, every time."""
    records = [user(i, note="}, {" if i % 23 == 5 else "x") for i in range(300)]
    records[40]["user"]["id"] = "x"  # and a bad record, so the reads that prove the splits refuse lines
    restored = []
    original = DocumentSplitter.restore
    monkeypatch.setattr(DocumentSplitter, "restore", lambda self, state: (restored.append(1), original(self, state)))
    _, ndjson_report, expected = outcome(ndjson(records))
    for data, plan in ((json.dumps(records).encode(), USERS),
                       (json.dumps({"data": {"records": records}}).encode(), WRAPPED)):  # fmt: skip
        for chunk in (1 << 10, 3000, 16 << 10):
            restored.clear()
            staged, report, rows = outcome(data, plan, chunk_bytes=chunk)
            assert restored, f"no fast split failed with regions of {chunk} bytes"
            assert rows == expected and staged.records_in == 300
            assert report == [(line - 1, e, g) for line, e, g in ndjson_report] == [(40, "int64", "string 'x'")]


def test_a_fast_split_that_did_not_hold_is_not_read_again_when_its_region_is_split_again(monkeypatch):
    """Its region is split again from the state before it; the same fast split comes first and is known to fail."""
    from handler import transform

    records = [user(i, note="}, {" if i == 150 else "x") for i in range(300)]
    reads, failed = [], []
    read_fast, proven = transform._PieceReader._read_fast, transform._proven
    monkeypatch.setattr(
        transform._PieceReader, "_read_fast", lambda self, lines, n: (reads.append(lines), read_fast(self, lines, n))[1]
    )
    monkeypatch.setattr(
        transform, "_proven", lambda lines, result: proven(lines, result) or (failed.append(lines), False)[1]
    )
    staged, report, _ = outcome(json.dumps(records).encode(), chunk_bytes=3000)
    assert staged.written == 300 and not report
    assert len(failed) == 1 and reads.count(failed[0]) == 1


@pytest.mark.parametrize("row_bytes", [1, 1500, 64 << 10])
def test_rows_read_as_the_lines_of_the_same_split(monkeypatch, row_bytes):
    """Rows cut every ``ROW_BYTES`` (1: at every separator) give the table and, when asked, the lines of
    ``split_lines``."""
    monkeypatch.setattr(elements, "ROW_BYTES", row_bytes)
    records = [user(i, note="{[" if i % 4 else "x") for i in range(40)]
    data = json.dumps(records).encode()
    sep = b'}, {"'
    start, end = 1, data.rfind(sep) + len(sep)
    rows = wrap_rows(data, start, end, sep)
    lines, count = split_lines(data, start, end, sep, sep)
    rows_made = rows.text.count(b"\n")
    assert rows_made == 39 if row_bytes == 1 else 2 <= rows_made < 39 if row_bytes == 1500 else rows_made == 1
    assert rows.lines() == (lines, count) and count == 39
    assert read_rows(rows.text, USERS)[0].equals(read_ndjson(lines, USERS, threads=False))


def _read_as_rows(monkeypatch) -> list[bool]:
    """Every fast run read as Rows from now on: whether Arrow read them whole (True) or the lines were read."""
    outcomes = []
    process_rows = transform.process_rows
    monkeypatch.setattr(
        transform, "process_rows", lambda rows, plan: (r := process_rows(rows, plan), outcomes.append(r is not None))[0]
    )
    return outcomes


@pytest.mark.parametrize("row_bytes", [1, 64 << 10])
@pytest.mark.parametrize("between", [b", ", b",\n  "], ids=["compact", "indented"])
def test_a_document_read_as_rows_gives_the_rows_and_report_of_the_same_ndjson(monkeypatch, row_bytes, between):
    """Clean regions are read as Rows (once the one before was clean). Where Arrow refuses them (a wrong type, a
    ``}, {"`` inside a string at a cut, ``null`` for an element) or they may be misread (NaN), the run's lines
    are read instead; a row only the validator may judge (a required field null) gets its line from the Rows.
    Rows, report and index are those of the same NDJSON."""
    monkeypatch.setattr(elements, "ROW_BYTES", row_bytes)
    records: list = [user(i) for i in range(300)]
    records[100]["user"]["id"] = None  # read by Arrow, judged by the validator
    records[150]["user"]["id"] = "x"  # refused by Arrow
    records[200]["user"]["name"] = '}, {"'  # a separator inside a string
    records[250] = None  # not an object
    items = [json.dumps(r).encode() for r in records]
    items[280] = items[280].replace(b'"score": ', b'"score": NaN, "s": ', 1)  # read by Arrow, no JSON
    _, lines_report, expected = outcome(ndjson(items))
    assert [line for line, *_ in lines_report] == [101, 151, 251, 281]
    for data, plan in ((b"[" + between.join(items) + b"]", USERS),
                       (b'{"data": {"records": [' + between.join(items) + b"]}}", WRAPPED)):  # fmt: skip
        outcomes = _read_as_rows(monkeypatch)
        staged, report, rows = outcome(data, plan, chunk_bytes=2000)
        assert rows == expected and staged.records_in == 300
        assert report == [(line - 1, e, g) for line, e, g in lines_report]
        assert outcomes.count(True) > 20
        # the regions of records 150 and 250 and that of 280, and 200's when a cut falls in its string
        assert 3 <= outcomes.count(False) <= 4
    outcomes = _read_as_rows(monkeypatch)
    assert outcome(b"[" + between.join(items) + b"]", chunk_bytes=1 << 20)[2] == expected
    assert outcomes == []  # one region: the first two are read as lines


@pytest.mark.parametrize("after", [1, 2, 5])
def test_a_string_ending_in_the_separator_does_not_shift_the_lines_of_rows_read_whole(monkeypatch, after):
    """A string that ends in ``}, {`` holds the separator ``}, {"``: Arrow reads such Rows whole (the separator sits
    inside a string), but their fast split cuts that record in two. A row only the validator may judge, later in
    the same run, must still be given its own record, not the one before it (nor half a record)."""
    monkeypatch.setattr(elements, "ROW_BYTES", 64 << 10)
    records: list = [user(i) for i in range(300)]
    for i in range(150, 290, 10):
        records[i]["user"]["name"] = "a}, {"
        records[i + after]["user"]["id"] = None  # read by Arrow, judged by the validator
    items = [json.dumps(r).encode() for r in records]
    assert all(b'}, {"' in items[i] for i in range(150, 290, 10))
    _, lines_report, expected = outcome(ndjson(items))
    assert len(lines_report) == 14
    outcomes = _read_as_rows(monkeypatch)
    _, report, rows = outcome(b"[" + b", ".join(items) + b"]", chunk_bytes=8000)
    assert rows == expected and report == [(line - 1, e, g) for line, e, g in lines_report]
    assert outcomes.count(True) >= 5 and False not in outcomes


def test_only_a_line_arrow_refused_is_split_again():
    """A line the validator cannot decode but Arrow read (say nested too deep for Python) is one object: only the
    lines Arrow refused (``refused_lines``) may hold two elements, and a run read as Rows whole has none."""
    two = b'{"a": 1},{"b": 2}'
    refused = Rejection.unparsed(("line", 1), two, "Extra data")
    read_whole = ChunkResult(rejections=[refused], records_in=1, lines=1, refused_lines={})
    assert transform._resplit(two + b"\n", read_whole) is None
    arrow_refused = ChunkResult(rejections=[refused], records_in=1, lines=1, refused_lines={0: two})
    assert transform._resplit(two + b"\n", arrow_refused) == [b'{"a": 1}\n{"b": 2}\n']


def test_a_document_with_bad_records_in_every_region_is_not_read_as_rows(monkeypatch):
    records = [user(i) for i in range(200)]
    for i in range(0, 200, 3):
        records[i]["user"]["id"] = "x"
    outcomes = _read_as_rows(monkeypatch)
    staged, report, _ = outcome(json.dumps(records).encode(), chunk_bytes=2000)
    assert staged.written == 133 and len(report) == 67
    assert outcomes == []


def test_records_path_edge_cases():
    staged, report, _ = outcome(b'{"statuses": [{"id": 1}, {"id": 2}], "x": [{"a": 1}, {"b": 2}]}', TWEETS)
    assert staged.records_in == 2 and [i for i, *_ in report] == [0, 1]
    staged, report, _ = outcome(b'{"other": 1}', TWEETS)  # no records_path: the object is the record
    assert staged.records_in == 1
    staged, report, _ = outcome(b'{"statuses": [{"id": 1}, {"id": 2}', TWEETS)
    assert staged.records_in == 3 and report[-1][1:] == ("the rest of the document", report[-1][2])
    assert "truncated" in report[-1][2]
    assert "holds a number, expected an array" in run(b'{"statuses": 5}', TWEETS)[0].unreadable


def test_nesting_beyond_the_decoder_is_quarantined_not_raised():
    for data in (b"[" + b"[" * 5000 + b"]" * 5000 + b"]", b'{"a":' * 5000 + b"1" + b"}" * 5000):
        staged, report, _ = outcome(data)
        assert staged.quarantined == 1 and "recursion" in report[0][2]


def test_nesting_too_deep_for_the_validator_in_an_ignored_field_is_the_documented_difference():
    """docs/interfaces.md, "known difference, nesting depth": Arrow reads what Python's json gives up on, the same
    in every shape; where the validator judges such a record (fast=False, or a record with another problem), it is
    quarantined as nested too deep. When this test fails, the difference is gone or has moved: update the docs."""
    deep = json.dumps(user(1, extra="X")).encode().replace(b'"X"', b"[" * 3000 + b"]" * 3000)
    odd = json.dumps(user(2, updated_at="2024-05-01T10:00:00.5+0000", extra="X")).encode()  # no such format
    odd = odd.replace(b'"X"', b"[" * 3000 + b"]" * 3000)
    shapes = [(ndjson([A, deep, odd, B]), 2), (b"[" + b", ".join([A, deep, odd, B]) + b"]", 1)]  # line, index
    for data, deep_at in shapes:
        staged, report, rows = outcome(data)
        assert (staged.written, staged.quarantined) == (3, 1)
        assert sorted(r["user_id"] for dt in rows for r in rows[dt]) == [0, 1, 1]  # A and B are users 0 and 1
        assert len(report) == 1 and report[0][0] == deep_at + 1 and "recursion" in report[0][2]
        staged, report, _ = outcome(data, fast=False)
        assert (staged.written, staged.quarantined) == (2, 2)
        assert [r[0] for r in report] == [deep_at, deep_at + 1] and all("recursion" in r[2] for r in report)


def test_records_over_the_size_limit_are_quarantined_by_size_in_every_shape():
    from handler.limits import Limits

    big = json.dumps(user(1, note="x" * 5000)).encode()
    limits = Limits(max_record_bytes=4000)
    for data in (ndjson([A, big, B]), b"[" + A + b", " + big + b", " + B + b"]"):
        staged, _, report, _ = run(data, USERS, chunk_bytes=1024, limits=limits)
        assert (staged.written, staged.quarantined) == (2, 1)
        assert report[0]["expected"] == "a record of at most 4000 bytes (MAX_RECORD_BYTES)"
        assert report[0]["got"].startswith(f"{len(big)} bytes")
        assert report[0]["record_text"] == big[:200].decode()


def test_fast_split_is_verified_by_brackets_outside_strings():
    assert verified(b'{"a": [{"b": 1}]}\n{"c": ", x"}\n')
    assert not verified(b'{"a": [{"b": 1}\n{"c": 2}]}\n')  # a separator inside a nested array
    assert not verified(b'{"c": "x}\n{y"}\n')  # ... inside a string
    assert not verified(b'{"c": "x}\n{y}, \\"{"}\n')  # ... inside a string, its brackets balanced by the next line
    assert verified(b'{"c": "\\\\"}\n{"d": "\\""}\n')


def test_a_line_with_brackets_inside_strings_is_proven_by_its_exact_scan():
    assert verified(b'{"c": "}, {"}\n{"d": "yes {maybe]"}\n')  # each line one element, brackets only in strings
    assert verified(b'{"c": "{"}, {"d": 1}\n')  # two elements on a line: resplit by the caller
    assert not verified(b'{"c": "{"}], "other": {"d": 1}\n')  # the array closed on it: the rest is no record
    assert not verified(b'{"c": "{"}}, {"d": 1}\n')  # a stray closing bracket
    assert not verified(b'{"c": "{", "d": [1}\n')  # a bracket left open


def test_splitter_carries_an_element_across_regions_and_skips_an_oversized_one():
    big = json.dumps(user(9, note="y" * 3000)).encode()
    data = b"[" + A + b", " + B + b", " + big + b", " + C + b"]"
    splitter = DocumentSplitter(None, 2000)
    runs = []
    for k in range(0, len(data), 100):
        runs += splitter.feed(data[k : k + 100], k + 100 >= len(data)).runs
    lines = [line for run in runs if isinstance(run, bytes) for line in run.splitlines()]
    flaws = [run for run in runs if isinstance(run, Flaw)]
    assert lines == [A, B, C] and len(flaws) == 1 and flaws[0].got == f"{len(big)} bytes at byte 723"


def test_the_exact_split_is_the_same_wherever_a_region_ends():
    """A cut inside a string, at an escape, at a quote or a bracket: the scan resumes where it stopped."""
    notes = ['a "quoted" }, {', "back\\slash\\", "{[}]", '\\"', "\u00e9\t"]
    records = [
        json.dumps({**user(i), "note": note, "list": [note, {"k": note}]}).encode() for i, note in enumerate(notes)
    ]
    data = b"[" + b",".join(records) + b", 7]"
    for cut in range(1, len(data)):
        splitter = DocumentSplitter(None, 1 << 20)
        splitter.fast_split = False
        runs = splitter.feed(data[:cut], final=False).runs + splitter.feed(data[cut:], final=True).runs
        assert [line for run in runs for line in run.splitlines()] == [*records, b"7"], cut


def test_a_region_gives_one_run_and_its_last_element_starts_the_next_regions_split():
    records = [json.dumps(user(i)).encode() for i in range(12)]
    data = b"[" + b", ".join(records) + b"]"
    cut = data.index(records[7]) + len(records[7])  # the first region ends with a whole element, after a "}"
    judged = []
    splitter = DocumentSplitter(None, 1 << 20, judge=lambda *split: judged.append(split) or "read by the judge")
    first = splitter.feed(data[:cut], final=False)
    second = splitter.feed(data[cut:], final=True)
    assert len(first.runs) == 1 and first.runs[0].splitlines() == records[:7]  # element 7 waits for the next split
    assert first.results == {0: "read by the judge"} and judged[0] == (first.runs[0], 7)
    assert [line for run in second.runs for line in run.splitlines()] == records[7:]


@pytest.mark.parametrize("sep", [b"}, {", b"},\n  {", b"}\r\n,{", b"},{"])
def test_a_fast_split_counts_its_lines_when_the_separator_is_longer_than_a_line_break(sep):
    records = [json.dumps(user(i)).encode() for i in range(5)]
    records[2] = records[2].replace(b"u2@", b"u2}, {@", 1)  # a separator inside a string: its line starts "{" too
    data = b"[" + sep.join(records) + sep + b"{"
    lines, count = split_lines(data, 1, len(data) - 1, sep, sep.translate(bytes.maketrans(b"\r\n", b"\t\t")))
    assert all(line.startswith(b"{") for line in lines.split(b"\n")[:-1])
    assert count == (lines.count(b"\n") if len(sep) > 3 else None)


def test_resplit_finds_the_elements_of_a_line():
    assert resplit(A + b", 5, " + B) == [A, b"5", B]
    assert resplit(A) is None


# pieces of refused lines: objects with brackets, quotes and escapes in strings, garbage, separators of every kind
_json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='{}[]",:\\ab\t\u00e9', max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet="ab{", max_size=2), inner, max_size=3),
    max_leaves=8,
)
_fragment = st.one_of(
    _json_value.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
    st.dictionaries(st.text(alphabet="ab", max_size=2), _json_value, max_size=3).map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"+42", b"{", b"}", b"]", b'"', b"\\", b"\t", b"\xff", b":", b"nul", b", "]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_fragment, min_size=1, max_size=4), st.sampled_from([b"", b",", b", ", b"\t,\t", b" "]))
def test_resplit_answers_as_the_exact_scan_does(fragments, sep):
    """The parser's shortcut for a line that is one valid value never changes the split."""
    line = sep.join(fragments)
    assert resplit(line) == exact_elements(line)
    assert verified(line + b"\n") == (_balanced(line) or _closed(line))


def test_a_refused_object_is_proven_one_element_without_the_exact_scan(monkeypatch):
    wrong_type = json.dumps({**user(1), "active": "yes {maybe}"}).encode()
    monkeypatch.setattr("handler.elements.exact_elements", lambda line: pytest.fail("scanned exactly"))
    assert resplit(wrong_type) is None
