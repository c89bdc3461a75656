"""The forecast: refusal patterns learnt from Arrow's messages, their picks checked in Python, and the block size."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pj
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import USERS, ndjson, user

from handler.fast import process_chunk
from handler.forecast import (
    CLEAN_STREAK,
    MAX_BLOCK,
    MIN_BLOCK,
    Forecast,
    block_size,
    holds_refused_value,
    refusal_pattern,
    refused_column,
    syntax_pattern,
)
from handler.locate import Lines

SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.struct([("id", pa.int64())])), ("tags", pa.list_(pa.string()))])


def _refusal(line: bytes) -> str:
    with pytest.raises(pa.ArrowInvalid) as info:
        _read_rows(line)
    return str(info.value)


def _read_rows(data: bytes) -> int:
    return pj.read_json(
        pa.BufferReader(data),
        read_options=pj.ReadOptions(use_threads=False, block_size=len(data) + 64),
        parse_options=pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore"),
    ).num_rows


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        (b'{"a": "x"}', r'"a"[ \t\r]*:[ \t\r]*"'),
        (b'{"b": {"id": true}}', r'"id"[ \t\r]*:[ \t\r]*[tf]'),
        (b'{"b": 3}', r'"b"[ \t\r]*:[ \t\r]*[-0-9]'),
        (b'{"a": [1]}', r'"a"[ \t\r]*:[ \t\r]*\['),
        (b'{"a": {"c": 1}}', r'"a"[ \t\r]*:[ \t\r]*\{'),
        (b'{"tags": ["x", 1]}', None),  # inside a list: no key to look for
        (b'{"a": 1.5}', None),  # a conversion: Arrow names no column
    ],
)
def test_refusal_pattern_names_the_key_and_the_kind_arrow_met(line, pattern):
    assert refusal_pattern(_refusal(line)) == pattern


def test_refusal_pattern_escapes_or_refuses_unusual_keys():
    assert refusal_pattern("Column(/user-id) changed from number to string in row 0") == r'"user\-id"[ \t\r]*:[ \t\r]*"'
    assert refusal_pattern('Column(/we"ird key) changed from number to string in row 0') is None
    assert refusal_pattern("Failed to convert JSON to int64, couldn't parse:1.5") is None


def test_refused_column_is_the_path_and_the_kind_arrow_met():
    assert refused_column(_refusal(b'{"b": {"id": true}}')) == (("b", "id"), "boolean")
    assert refused_column(_refusal(b'{"a": "x"}')) == (("a",), "string")
    assert refused_column(_refusal(b'{"tags": ["x", 1]}')) == (("tags", "[]"), "number")
    assert refused_column("Failed to convert JSON to int64, couldn't parse:1.5") is None


@pytest.mark.parametrize(
    "line",
    [
        b'{"a": "x"}',
        b'{"a": 1, "b": {"id": "7"}}',
        b'{"b": {"id": [1]}}',
        b'{"b": {"id": {"x": 1}}}',
        b'{"b": {"id": true}}',
        b'{"a": {"c": 1}}',
        b'{"a": false}',
    ],
)
def test_a_line_holds_the_refused_value_exactly_when_arrow_refuses_it_for_that_column(line):
    column = refused_column(_refusal(line))
    assert column is not None and holds_refused_value(line, [column])
    assert not holds_refused_value(b'{"a": 1, "b": {"id": 2}}', [column])  # the line Arrow reads


def test_holds_refused_value_tells_kinds_apart_and_counts_no_json_as_refused():
    number, boolean = (("a",), "number"), (("a",), "boolean")
    assert holds_refused_value(b'{"a": 1}', [number]) and holds_refused_value(b'{"a": -0.5}', [number])
    assert not holds_refused_value(b'{"a": true}', [number])  # a bool is no number
    assert holds_refused_value(b'{"a": true}', [boolean]) and not holds_refused_value(b'{"a": 1}', [boolean])
    assert not holds_refused_value(b'{"c": {"a": true}}', [boolean])  # the key elsewhere: another column
    assert not holds_refused_value(b'{"a": null}', [number, boolean])
    assert not holds_refused_value(b'{"b": 1}', [(("b", "c"), "number")])  # the path ends early
    assert holds_refused_value(b'{"a": tru', [number])  # no JSON: Arrow refuses it too
    assert holds_refused_value(b'{"a": 1}', [boolean, number])  # any of the columns


def test_block_size_shrinks_as_refusals_grow_within_bounds():
    size = 8 << 20
    assert block_size(size, None) == MIN_BLOCK  # nothing known yet: as small as refusals are cheapest
    assert block_size(size, 0) == MAX_BLOCK
    assert block_size(size, 10_000) == MIN_BLOCK
    sizes = [block_size(size, refusals) for refusals in range(0, 200)]
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) > 2
    assert all(s & (s - 1) == 0 for s in sizes)  # powers of two


def _lines(rows: list[bytes]) -> Lines:
    return Lines(b"\n".join(rows) + b"\n")


def test_a_learnt_pattern_predicts_exactly_the_lines_arrow_refuses_for_it():
    forecast = Forecast()
    assert forecast.predict(_lines([b'{"a": "x"}']), []) == []  # nothing learnt: nothing predicted
    forecast.learn([_refusal(b'{"a": "x"}'), "an error that names no column"])
    rows = [b'{"a": %d}' % k for k in range(40)]
    for k in (3, 17, 39):
        rows[k] = b'{"a" : "%d"}' % k
    rows[20] = b'{"c": {"a": "s"}, "a": 1}'  # c.a is no column: Arrow reads the line, a wrong guess (judged)
    rows[25] = b'{"a": "truncat'  # unframed: the caller skips it
    index = _lines(rows)
    assert forecast.predict(index, [25]) == [3, 17, 20, 39]
    assert forecast.patterns == {r'"a"[ \t\r]*:[ \t\r]*"': {(("a",), "string")}}


def test_a_pattern_that_mostly_picks_lines_arrow_reads_is_dropped_for_good():
    forecast = Forecast()
    forecast.learn([_refusal(b'{"b": {"id": "x"}}')])  # b.id met a string...
    rows = [b'{"a": %d, "other": {"id": "s%d"}}' % (k, k) for k in range(30)]  # ...but "id" also names this
    rows[5] = b'{"b": {"id": "x"}}'
    assert forecast.predict(_lines(rows), []) == []
    assert forecast.patterns == {} and len(forecast.retired) == 1
    forecast.learn([_refusal(b'{"b": {"id": "x"}}')])
    assert forecast.patterns == {}  # not learnt again in this object


def _chunk(first: int, wrong: set[int]) -> bytes:
    rows = []
    for i in range(first, first + 300):
        rows.append(user(i, user={"id": f"x{i}", "email": "e", "active": True}) if i in wrong else user(i))
    rows[7] = json.dumps(user(first + 7)).encode()[:40]  # a refusal no pattern predicts
    return ndjson(rows)


def test_the_next_chunk_predicted_gives_the_same_result_as_unpredicted():
    wrong = {5, 40, 41, 180, 305, 333, 420, 599}
    first, second = _chunk(0, wrong), _chunk(300, wrong)
    forecast = Forecast()
    learning = process_chunk(first, 1, USERS, whole_first=False, forecast=forecast)
    assert learning.predicted == 0 and learning.refused == 5 and forecast.patterns
    predicted = process_chunk(second, 301, USERS, whole_first=False, forecast=forecast)
    plain = process_chunk(second, 301, USERS, whole_first=False)
    assert predicted.predicted == 4 and plain.predicted == 0
    assert predicted.refused == plain.refused == 5
    assert pa.concat_tables(predicted.tables).equals(pa.concat_tables(plain.tables))
    assert predicted.rejections == plain.rejections
    assert len(predicted.rejections) == 5


def test_a_failed_whole_chunk_read_teaches_the_same_chunk_isolation():
    forecast = Forecast()
    result = process_chunk(_chunk(0, {5, 40, 41, 180}), 1, USERS, whole_first=True, forecast=forecast)
    assert result.isolated and result.refused == 5 and result.predicted == 4


@pytest.mark.parametrize("span", [1, 3, 64])
def test_matching_lines_are_those_a_per_line_search_finds(span):
    import random
    import re

    rng = random.Random(span)
    pieces = [b'{"a": 1}', b'{"a": "x"}', b'{"b": {"a" :\t"y"}, "a": "z"}', b"", b'  {"a": 2}\r', b'"a": "']
    rows = [rng.choice(pieces) for _ in range(500)]
    pattern = r'"a"[ \t\r]*:[ \t\r]*"'
    expected = [k for k, row in enumerate(rows) if re.search(pattern.encode(), row)]
    for data in (b"\n".join(rows) + b"\n", b"\n".join(rows)):
        assert Lines(data).matching(pattern, span=span) == expected
    assert Lines(b"").matching(pattern) == []


def test_a_prefilter_narrows_the_spans_but_the_pattern_decides():
    rows = [b'{"paid": "x"}', b'{"id": "y"}', b'{"id": 1}', b'{"xid": "z"}'] * 50
    index = _lines(rows)
    pattern = r'"id"[ \t\r]*:[ \t\r]*"'
    assert index.matching(pattern, span=4, prefilter=pattern[1:]) == list(range(1, 200, 4))
    assert index.matching(pattern, span=4, prefilter=pattern[1:]) == index.matching(pattern, span=4)


def test_chunks_are_expected_clean_only_after_a_streak_without_refusals():
    forecast = Forecast()
    for refusals in (2, 0, 0):
        forecast.record(refusals, 1 << 20)
        assert not forecast.expects_no_refusal
    forecast.record(0, 1 << 20)
    assert forecast.expects_no_refusal  # CLEAN_STREAK chunks in a row
    forecast.record(1, 1 << 20)
    assert not forecast.expects_no_refusal  # one refusal starts the streak again


def _predictable_chunk(first: int, wrong: set[int]) -> bytes:
    rows = [
        user(i, user={"id": f"x{i}", "email": "e", "active": True}) if i in wrong else user(i)
        for i in range(first, first + 300)
    ]
    rows[11] = b"  "  # a blank line: no record
    rows[12] = json.dumps(user(first + 12)).encode()[:40]  # unframed: never given to Arrow
    return ndjson(rows)


@pytest.mark.parametrize("surprise", [False, True])
def test_a_chunk_expected_clean_is_read_whole_with_the_result_streaming_gives(surprise, monkeypatch):
    import handler.fast as fast

    wrong = {5, 40, 41, 180, 305, 333, 420, 599}
    forecast = Forecast()
    process_chunk(_predictable_chunk(0, wrong), 1, USERS, whole_first=False, forecast=forecast)
    for _ in range(CLEAN_STREAK):
        forecast.record(0, 1 << 20)
    assert forecast.patterns and forecast.expects_no_refusal
    chunk = _predictable_chunk(300, wrong)
    if surprise:  # a refusal no pattern predicts: the whole read fails, the chunk is streamed after all
        chunk = chunk.replace(b'"age": ', b'"age": "x', 1).replace(b', "score"', b'", "score"', 1)
    calls: list[str] = []
    plain_whole, plain_streamed = fast.read_whole, fast.streamed_pieces
    monkeypatch.setattr(fast, "read_whole", lambda *a: calls.append("whole") or plain_whole(*a))
    monkeypatch.setattr(fast, "streamed_pieces", lambda *a, **k: calls.append("streamed") or plain_streamed(*a, **k))
    read = process_chunk(chunk, 301, USERS, whole_first=False, forecast=forecast)
    assert calls == (["whole", "streamed"] if surprise else ["whole"])
    streamed = process_chunk(chunk, 301, USERS, whole_first=False)  # nothing learnt: streamed
    assert read.predicted == 4 and read.refused == streamed.refused == 5 + surprise
    assert pa.concat_tables(read.tables).equals(pa.concat_tables(streamed.tables))
    assert read.rejections == streamed.rejections and read.records_in == streamed.records_in == 299
    assert forecast.expects_no_refusal is not surprise


def test_read_whole_maps_rows_to_the_lines_read_or_gives_none_when_arrow_refuses_one():
    from handler.locate import read_whole

    def read(buffer):
        return pj.read_json(
            pa.BufferReader(pa.py_buffer(buffer)),
            parse_options=pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore"),
        )

    lines = _lines([b'{"a": 1}', b'{"a": "x"}', b"", b'{"a": 3}', b'{"a": 4, "tags": ["t"]}'])
    refused, pieces = read_whole(lines, [1, 2], read)
    assert refused == [] and [read for read, _ in pieces] == [[0, 3, 4]]
    assert pa.Table.from_batches(pieces[0][1]).column("a").to_pylist() == [1, 3, 4]
    assert read_whole(lines, [2], read) is None  # line 1 is refused: the caller streams the chunk


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        (b'{"a": 1, "age": +42}', r'"age"[ \t\r]*:[ \t\r]*\+'),
        (b"{\"age\":\t'x'}", r'"age"[ \t\r]*:[ \t\r]*' + "'"),
        (b'{"u": {"ok": None}}', r'"ok"[ \t\r]*:[ \t\r]*N'),
        (b'{"a": {"b": 1}', None),  # truncated: nothing where a value starts
        (b'{"a": "x"}', None),  # JSON
        (b'{"a": tru}', None),  # a value that starts right and goes wrong
        (b'{"a" 1}', None),  # no colon: not a value
        (b'{"x": [+1]}', None),  # in a list: no key before it
        ('{"\u00e9t\u00e9": +1}'.encode(), None),  # a key no pattern writes literally
    ],
)
def test_a_syntax_mistake_gives_the_pattern_of_its_key_and_first_byte(line, pattern):
    assert syntax_pattern(line) == pattern


def _syntax_chunk(first: int, wrong: set[int]) -> bytes:
    rows = [json.dumps(user(i)).encode() for i in range(first, first + 300)]
    for i in wrong:
        if first <= i < first + 300:
            rows[i - first] = rows[i - first].replace(b'"age": ', b'"age": +', 1)  # no JSON; Arrow names no column
    return b"\n".join(rows) + b"\n"


def test_a_syntax_mistake_arrow_refused_is_predicted_in_the_next_chunk_with_the_same_result():
    wrong = {5, 40, 41, 180, 305, 333, 420, 599}
    forecast = Forecast()
    learning = process_chunk(_syntax_chunk(0, wrong), 1, USERS, whole_first=False, forecast=forecast)
    assert learning.predicted == 0 and learning.refused == 4
    assert list(forecast.patterns) == [r'"age"[ \t\r]*:[ \t\r]*\+']
    second = _syntax_chunk(300, wrong)
    predicted = process_chunk(second, 301, USERS, whole_first=False, forecast=forecast)
    plain = process_chunk(second, 301, USERS, whole_first=False)
    assert predicted.predicted == predicted.refused == plain.refused == 4
    assert pa.concat_tables(predicted.tables).equals(pa.concat_tables(plain.tables))
    assert predicted.rejections == plain.rejections and len(plain.rejections) == 4
