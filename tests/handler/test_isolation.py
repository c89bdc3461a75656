"""Dirty chunks: the located-lines isolation decides exactly as the per-record validator, in line order."""

from __future__ import annotations

import json
import random
import sys
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import USERS, ndjson, run, user

import handler.fast as fast_module
import handler.forecast as forecast_module
from handler.locate import Lines, has_second_value, streamed_pieces, unreadable_lines


def _dirty_records(n: int, seed: int) -> list:
    """Valid users with every kind of bad line the fast path must hand to the validator, mixed in."""
    rng = random.Random(seed)
    kinds = [
        lambda i: json.dumps(user(i)).encode()[:30],  # truncated: Arrow names the row
        lambda i: user(i, user={"id": f"x{i}", "email": "e", "active": True}),  # type change: named row
        lambda i: json.dumps(user(i)).replace(f'"id": {i}', f'"id": {i}.5').encode(),  # int conversion: no row
        lambda i: user(i, account={"balance": "1.255"}),  # decimal scale: no row
        lambda i: user(i, account={"balance": 10_000_000_000}),  # overflows decimal(12,2) once scaled
        lambda i: b"null",  # read by Arrow as an all-null row; never first in a block
        lambda i: b"  nonsense",  # starts with n after blanks
        lambda i: b"{} {}",  # two values on one line
        lambda i: user(i, updated_at="2023-02-29T00:00:00+0000"),  # no such day
        lambda i: user(i, updated_at="2024-01-31T23:30:00-0100"),  # valid late day, next day in UTC
        lambda i: b"",  # blank line: not a record
        lambda i: {"user": {"email": "x", "active": True}},  # required field missing
        lambda i: user(i, user={"id": i, "email": "e", "active": True, "score": float("nan")}),  # NaN: no JSON
        lambda i: user(i, extra={"ignored": [float("-inf")]}),  # -Infinity where the contract does not look
        lambda i: user(i, user={"id": i, "email": "e", "active": True, "name": "NaN Infinity"}),  # words: valid
        lambda i: json.dumps(user(i)).encode().replace(b"Main", b"Ma\xffin"),  # no UTF-8 in a string
        lambda i: json.dumps(user(i)).encode().replace(b'"age": ', b'"age": +'),  # no JSON, no column: learnt
    ]
    out = []
    for i in range(n):
        out.append(rng.choice(kinds)(i) if rng.random() < 0.15 else user(i))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dirty_chunks_match_the_per_record_path_exactly(seed, monkeypatch):
    data = ndjson(_dirty_records(400, seed))
    slow = run(data, USERS, fast=False)

    class NoFallback:
        def __init__(self, *args):
            raise AssertionError("the line-by-line isolator was needed")

    monkeypatch.setattr(fast_module, "_Isolator", NoFallback)  # located isolation handles every kind above
    for chunk_bytes in (1 << 20, 4096):
        fast = run(data, USERS, fast=True, chunk_bytes=chunk_bytes)
        assert fast[0].isolated_chunks > 0
        assert (fast[0].records_in, fast[0].written, fast[0].quarantined) == (
            slow[0].records_in,
            slow[0].written,
            slow[0].quarantined,
        )
        assert fast[0].records_in == fast[0].written + fast[0].quarantined
        assert fast[1] == slow[1]  # same rows, same order, per partition
        assert fast[2] == slow[2]  # same quarantine lines (line, field, expected, got, record), same order


def test_decimal_overflowing_precision_after_scaling_is_quarantined():
    data = ndjson(
        [user(1), user(2, account={"balance": 10_000_000_000}), user(3, account={"balance": "-9999999999.99"})]
    )
    staged, rows, report, _ = run(data)
    assert (staged.written, staged.quarantined) == (2, 1)
    assert sorted(r["balance"] for day in rows.values() for r in day) == [Decimal("-9999999999.99"), Decimal("1.25")]
    assert report[0]["line"] == 2 and report[0]["field"] == "balance"
    assert "more than 12 digits" in report[0]["got"]


def test_dirty_input_gives_byte_identical_parquet():
    data = ndjson(_dirty_records(2000, 9))
    a = run(data, USERS, chunk_bytes=64 << 10)
    b = run(data, USERS, chunk_bytes=64 << 10)
    assert a[0].quarantined > 0 and a[3] == b[3] and a[2] == b[2]


def test_unreadable_lines_are_located_by_row_hint_and_bisection():
    import pyarrow as pa

    _, read_rows = _stream_reader(pa.schema([("a", pa.int64())]), block_size=64)
    lines = [b'{"a": 1}'] * 50
    for k, bad in {3: b'{"a": ', 10: b'{"a": "s"}', 11: b"null", 20: b'{"a": 1.5}', 30: b"{} {}", 49: b"[1]"}.items():
        lines[k] = bad
    assert unreadable_lines(lines, read_rows, segment_bytes=64) == [3, 10, 11, 20, 30, 49]
    assert unreadable_lines(lines, read_rows) == [3, 10, 11, 20, 30, 49]
    assert unreadable_lines([], read_rows) == []


def _streamable_records(n: int, seed: int) -> list:
    """Dirty records whose refusals all carry a row hint and with one value per line: the streamed path's input."""
    rng = random.Random(seed)
    kinds = [
        lambda i: json.dumps(user(i)).encode()[:30],  # truncated: unframed, never given to Arrow
        lambda i: user(i, user={"id": f"x{i}", "email": "e", "active": True}),  # type change: named row
        lambda i: user(i, account={"balance": 10_000_000_000}),  # read, then a suspect
        lambda i: b"null",
        lambda i: b"  nonsense",
        lambda i: b'  {"user": "text"}  ',  # framed once blanks are stripped; refused by type
        lambda i: user(i, updated_at="2023-02-29T00:00:00+0000"),
        lambda i: b"",
        lambda i: {"user": {"email": "x", "active": True}},
    ]
    return [rng.choice(kinds)(i) if rng.random() < 0.15 else user(i) for i in range(n)]


@pytest.mark.parametrize("predict", [True, False])
@pytest.mark.parametrize("seed", [4, 5])
def test_streamed_isolation_matches_the_per_record_path_exactly(seed, predict, monkeypatch):
    data = ndjson(_streamable_records(600, seed))
    slow = run(data, USERS, fast=False)

    def no_locating(*args):
        raise AssertionError("the chunk fell back to locating")

    monkeypatch.setattr(fast_module, "_located", no_locating)  # every chunk is isolated by streaming
    predicted: list[int] = []
    if predict:
        plain_predict = forecast_module.Forecast.predict

        def spied(self, *args):
            found = plain_predict(self, *args)
            predicted.extend(found)
            return found

        monkeypatch.setattr(forecast_module.Forecast, "predict", spied)
    else:  # every refusal is met while streaming
        monkeypatch.setattr(forecast_module.Forecast, "predict", lambda *args: [])
    monkeypatch.setattr(forecast_module, "MIN_BLOCK", 2048)  # several blocks, several refusals per segment
    monkeypatch.setattr(forecast_module, "MAX_BLOCK", 2048)
    for chunk_bytes in (1 << 20, 8192):
        fast = run(data, USERS, fast=True, chunk_bytes=chunk_bytes)
        assert fast[0].isolated_chunks > 0
        assert fast[0].records_in == fast[0].written + fast[0].quarantined
        assert (fast[0].records_in, fast[0].written, fast[0].quarantined) == (
            slow[0].records_in,
            slow[0].written,
            slow[0].quarantined,
        )
        assert fast[1] == slow[1] and fast[2] == slow[2]
    assert bool(predicted) is predict  # type changes in one chunk are predicted in the next


def _stream_reader(schema, block_size: int):
    import pyarrow as pa
    import pyarrow.json as pj

    def open_batches(data: bytes):
        return pj.open_json(
            pa.BufferReader(data),
            read_options=pj.ReadOptions(use_threads=False, block_size=block_size),
            parse_options=pj.ParseOptions(explicit_schema=schema),
        )

    def read_rows(data: bytes) -> int:
        return pj.read_json(
            pa.BufferReader(data),
            read_options=pj.ReadOptions(use_threads=False, block_size=len(data) + 64),
            parse_options=pj.ParseOptions(explicit_schema=schema),
        ).num_rows

    return open_batches, read_rows


def _streamed(lines: list[bytes], open_batches, read_rows, segment_bytes: int):
    """``streamed_pieces`` over NDJSON made of ``lines``: (skipped + refused lines, line indices read, values read)."""
    index = Lines(b"\n".join(lines) + b"\n")
    blank, unframed = index.sorted_out()
    assert blank == []
    found = streamed_pieces(index, unframed, open_batches, read_rows, segment_bytes=segment_bytes)
    if found is None:
        return None
    refused, segments = found
    read = [k for indices, _ in segments for k in indices]
    values = [v for _, batches in segments for batch in batches for v in batch.column(0).to_pylist()]
    return sorted(unframed + refused), read, values


def test_streamed_pieces_keep_every_read_line_once_in_order():
    import pyarrow as pa

    schema = pa.schema([("a", pa.int64())])
    open_batches, read_rows = _stream_reader(schema, block_size=40)
    lines = [b'{"a": %d}' % k for k in range(60)]
    refused = {3: b'{"a": ', 10: b'{"a": "s"}', 11: b"null", 12: b'{"a": [1]}', 30: b" [1]", 59: b'{"a": "t"}'}
    for k, bad in refused.items():
        lines[k] = bad
    for segment_bytes in (1, 64, 1 << 20):
        bad, read, values = _streamed(lines, open_batches, read_rows, segment_bytes)
        assert bad == sorted(refused)
        assert read == [k for k in range(60) if k not in refused]  # every other line, once, in line order
        assert values == read  # line k holds the value k: rows map back to their lines
    assert streamed_pieces(Lines(b""), [], open_batches, read_rows) == ([], [])


def test_streamed_pieces_bisect_a_refusal_that_names_no_row():
    import pyarrow as pa

    open_batches, read_rows = _stream_reader(pa.schema([("a", pa.int64())]), block_size=40)
    lines = [b'{"a": %d}' % k for k in range(20)]
    lines[7] = b'{"a": 1.5}'  # int conversion: Arrow's error names no row
    lines[15] = b'{"a": 2.5}'
    for segment_bytes in (64, 1 << 20):
        bad, read, values = _streamed(lines, open_batches, read_rows, segment_bytes)
        assert bad == [7, 15]
        assert read == values == [k for k in range(20) if k not in (7, 15)]


def test_streamed_pieces_give_up_when_bisection_finds_nothing_arrow_refuses():
    import pyarrow as pa

    open_batches, _ = _stream_reader(pa.schema([("a", pa.int64())]), block_size=40)
    lines = [b'{"a": 1}'] * 20
    lines[7] = b'{"a": 1.5}'
    assert _streamed(lines, open_batches, lambda data: data.count(b"\n") + 1, segment_bytes=1 << 20) is None


def test_a_named_line_that_is_json_after_one_that_is_not_marks_the_one_before():
    from handler.locate import _named

    index = Lines(b'{"a": 1}\n{"a": {"b": 1}\n{"a": 3}\n')
    assert _named(index, [0, 1, 2], 2, 0) == 1  # the unclosed line ran on into line 2, which Arrow named
    assert _named(index, [0, 1, 2], 1, 0) == 1
    assert _named(index, [0, 1, 2], 2, 2) == 2  # line 1 was read before this stream started: not a suspect
    assert _named(index, [0, 2], 1, 0) == 1  # line 1 is no longer read: line 2 is named for itself


def test_lines_index_blank_and_unframed_lines_without_copying_the_chunk():
    index = Lines(b'{"a": 1}\n\n  \r\n [1]\n  {"a": 2}  \r\nnull\n{"a": 3}')
    assert len(index) == 7
    assert [index.line(k) for k in range(7)][-1] == b'{"a": 3}'
    assert index.sorted_out() == ([1, 2], [3, 5])
    assert len(Lines(b'{"a": 1}\n')) == 1 and len(Lines(b"")) == 0


def test_second_value_arrow_reads_as_a_row_is_detected_on_a_line():
    assert has_second_value(b'{"a": 1}\n{} {}\n')
    assert has_second_value(b'{"a": 1}\n{"a": {"b": 2}}null\n')
    assert not has_second_value(b'{"a": {"b": [{"c": 1}, {"d": 2}]}}\r\n{"a": 2} \n')
    assert not has_second_value(b'{"a": "{true}", "b": "{\\"c\\": 1}"}\n')  # brackets closing a string's text
    assert not has_second_value(b'{"a": {"b": 2}}5\n')  # Arrow refuses the line: it is named, not mis-counted


@pytest.mark.parametrize("second", [b" 5", b' "x"', b" [1]", b" true", b" {}", b" null", b'{"user": 1}'])
def test_a_line_with_a_second_value_is_quarantined_alone_in_a_dirty_chunk(second):
    records = [json.dumps(user(i)).encode() for i in range(40)]
    records[5] = records[5].replace(b'"active": ', b'"active": "{', 1).replace(b', "address"', b'}", "address"', 1)
    records[9] += second
    records[30] = records[30].replace(b'"id": ', b'"id": "x', 1).replace(b', "email"', b'x", "email"', 1)
    data = b"\n".join(records) + b"\n"
    fast, slow = run(data, chunk_bytes=4096), run(data, fast=False)
    assert fast[1] == slow[1] and fast[0].written == 37
    assert [(r["line"], r["field"]) for r in fast[2]] == [(r["line"], r["field"]) for r in slow[2]]


@pytest.mark.parametrize("segment_bytes", [1, 7, 64, 1 << 20])
def test_segments_partition_the_lines_at_the_first_line_reaching_the_size(segment_bytes):
    from handler.locate import _segments

    rng = random.Random(segment_bytes)
    lines = [b"x" * rng.randint(0, 40) for _ in range(300)]
    bounds = _segments(list(accumulate(len(line) + 1 for line in lines)), segment_bytes)
    assert [b for bound in bounds for b in range(*bound)] == list(range(300))  # contiguous, in order, all
    for i, j in bounds[:-1]:
        size = sum(len(line) + 1 for line in lines[i:j])
        assert size >= segment_bytes > size - len(lines[j - 1]) - 1
    assert _segments([], segment_bytes) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{}\n  null\n", True),
        (b"null\n{}", True),
        (b"\n\n \t n", True),
        (b"{}\n\r\nnonsense", True),
        (b'{"a": "x\\nn"}\n', False),
        (b'{"n": 1}\n {"a": 1}', False),
    ],
)
def test_lines_starting_with_n_are_found_anywhere(data, expected):
    # pyarrow 26 crashes on a block that starts with a `null` row: such chunks must never be read whole
    assert fast_module._has_n_line(data) is expected


def test_deferred_validator_work_gives_the_same_chunk_result():
    import pyarrow as pa

    from handler.fast import process_chunk

    data = ndjson(_dirty_records(300, seed=9))
    eager = process_chunk(data, 1, USERS, whole_first=False)
    deferred = process_chunk(data, 1, USERS, whole_first=False, defer=True)
    assert deferred.pending is not None and deferred.rejections == [] and deferred.tables == []
    deferred.complete()
    assert deferred.pending is None
    assert [r.location for r in deferred.rejections] == [r.location for r in eager.rejections]
    assert pa.concat_tables(deferred.tables).equals(pa.concat_tables(eager.tables))
    assert deferred.records_in == eager.records_in and deferred.lines == eager.lines


@pytest.mark.parametrize("chunk_bytes", [1 << 20, 512])
@pytest.mark.parametrize("shape", ["ndjson", "array"])
def test_what_arrow_reads_but_is_no_json_is_refused_as_the_validator_does(shape, chunk_bytes):
    """Arrow reads NaN, Infinity and -Infinity (json.dumps writes them for such floats) as numbers, in a float64
    column and in fields the contract ignores, and copies bytes that are not UTF-8 into string columns: it wrote
    those rows, and Parquet held strings no reader decodes. They are no JSON, and the validator refuses the line.
    The words in a string are only words."""
    records = [json.dumps(user(i)).encode() for i in range(40)]
    records[3] = json.dumps(user(3, user={"id": 3, "email": "e", "active": True, "score": float("nan")})).encode()
    records[7] = json.dumps(user(7, user={"id": 7, "email": "e", "active": True, "score": float("inf")})).encode()
    records[11] = json.dumps(user(11, note={"deep": [1, float("-inf")]})).encode()
    records[20] = json.dumps(user(20, user={"id": 20, "email": "e", "active": True, "name": "NaN, -Infinity"})).encode()
    records[25] = records[25].replace(b"Main", b"Ma\xc0\xafin")  # an overlong "/": no UTF-8, in a contract field
    records[30] = records[30][:-1] + b', "note": "\xff"}'  # in a field the contract ignores
    data = b"\n".join(records) + b"\n" if shape == "ndjson" else b"[" + b", ".join(records) + b"]"
    fast = run(data, USERS, fast=True, chunk_bytes=chunk_bytes)
    slow = run(data, USERS, fast=False, chunk_bytes=chunk_bytes)
    assert (fast[0].written, fast[0].quarantined) == (slow[0].written, slow[0].quarantined) == (35, 5)
    assert fast[1] == slow[1]  # read back as strings: every curated string decodes
    assert fast[2] == slow[2]
    where = [r.get("line", r.get("index")) for r in fast[2]]
    assert where == ([4, 8, 12, 26, 31] if shape == "ndjson" else [3, 7, 11, 25, 30])


def test_the_words_nan_and_infinity_in_strings_keep_the_chunk_on_the_whole_read():
    """Only NaN or Infinity where a value starts takes a line away from Arrow: a string that names them (a film, a
    placeholder written as text) is read with the others, in one call."""
    records = [user(i, user={"id": i, "email": "e", "active": True, "name": ["NaN", "Infinity War"][i % 2]})
               for i in range(200)]  # fmt: skip
    staged = run(ndjson(records), USERS)[0]
    assert (staged.written, staged.quarantined, staged.isolated_chunks) == (200, 0, 0)
