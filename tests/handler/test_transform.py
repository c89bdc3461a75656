"""The pure transform: formats, validation, accounting, determinism. No AWS."""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import TWEETS, USERS, ndjson, run, user

from handler.transform import transform


def test_clean_ndjson_is_written_partitioned_by_payload_time():
    staged, rows, report, _ = run(ndjson(user(i) for i in range(30)))
    assert (staged.records_in, staged.written, staged.quarantined) == (30, 30, 0)
    assert sorted(rows) == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert report == []
    first = rows["2024-05-01"][0]
    assert first["user_id"] == 0 and first["user_name"] == "Ünïcødé 0 名前"
    assert first["address"] == {"street": "0 Main St", "city": "Zürich", "zip": "8000", "country": "CH"}
    assert first["balance"] == Decimal("0.25")
    assert first["updated_at"].isoformat() == "2024-05-01T10:00:00+00:00"
    assert "dt" not in first
    # stable row order inside a partition: input order
    assert [r["user_id"] for r in rows["2024-05-02"]] == [i for i in range(30) if i % 3 == 1]


def test_mixed_input_quarantines_each_bad_record_with_its_reason():
    records = [user(i) for i in range(10)]
    records[2] = b'{"user": {"id": 2, '  # truncated line
    records[4] = user(4, updated_at="2024-02-30T00:00:00+0000")  # no such day
    records[6] = {"user": {"id": "six"}}  # wrong type + missing required
    records[8] = b"[1, 2]"  # not an object
    staged, _rows, report, _ = run(ndjson(records))
    assert staged.records_in == 10 == staged.written + staged.quarantined
    assert staged.quarantined == 4
    by_line = {r["line"]: r for r in report}
    assert sorted(by_line) == [3, 5, 7, 9]
    assert by_line[3]["field"] == "<record>" and "not valid JSON" in by_line[3]["got"]
    assert by_line[3]["record_text"] == '{"user": {"id": 2, '
    assert by_line[5]["field"] == "updated_at" and by_line[5]["got"] == "string '2024-02-30T00:00:00+0000'"
    assert by_line[7]["field"] == "user_id" and by_line[7]["expected"] == "int64"
    assert by_line[7]["record"] == {"user": {"id": "six"}}
    assert by_line[9]["expected"] == "object"
    assert all(r["raw_key"] == "in/k.json" and r["version_id"] == "v1" for r in report)


def test_a_quarantined_line_is_reported_as_uploaded_on_one_line():
    line = '{"user": {"id": "x", "score": 1.50, "big": 12345678901234567890123, "note": "a\u2028b \\ud800"}}'
    data = ndjson([user(1)]) + line.encode() + b"\r\n" + ndjson([user(3)])
    staged, _rows, report, _ = run(data)
    assert staged.quarantined == 1 and report[0]["line"] == 2
    with tempfile.TemporaryDirectory() as tmp:
        again = transform([data], USERS, Path(tmp), "in/k.json", "v1")
        raw = again.quarantine_file.read_bytes()
    assert raw.count(b"\n") == 1 and raw.endswith(b"}\n")  # one NDJSON line, the CR of the upload dropped
    written = line.replace("\u2028", "\\u2028")  # line separators escaped, all else as written
    assert raw.decode().split(', "record": ', 1)[1] == written + "}\n"
    assert report[0]["record"]["user"]["big"] == 12345678901234567890123
    assert report[0]["record"]["user"]["note"] == "a\u2028b \ud800"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\n ", "empty"),
        (b"\xc3\x28{}", "not UTF-8"),
        (b"this is not json at all\n", "not valid JSON"),
        (b"42", "expected an object"),
        (gzip.compress(ndjson([user(1)]))[:-12], "truncated gzip"),
        (b"\x1f\x8bnot really gzip", "gzip"),
    ],
)
def test_unreadable_objects_get_one_reason_and_no_output(data, reason):
    staged, rows, _report, _ = run(data)
    assert staged.unreadable and reason in staged.unreadable
    assert (staged.records_in, staged.written, staged.quarantined, rows) == (0, 0, 0, {})


def test_gzip_array_and_single_object_inputs():
    recs = [user(i) for i in range(5)]
    for data in (gzip.compress(ndjson(recs)), json.dumps(recs).encode(), gzip.compress(json.dumps(recs).encode())):
        staged, _, _, _ = run(data)
        assert staged.written == 5, data[:20]
    staged, _rows, _, _ = run(json.dumps(user(7), indent=2).encode())
    assert staged.written == 1 and staged.format == "document"


def test_array_rejections_name_the_index():
    recs = [user(0), {"user": {"id": 1}}, user(2)]
    staged, _, report, _ = run(json.dumps(recs).encode())
    assert (staged.written, staged.quarantined) == (2, 1)
    assert report[0]["index"] == 1 and report[0]["field"] == "user_email"


def test_wrapper_object_uses_records_path():
    statuses = {"statuses": [{"id": 1}], "search_metadata": {}}
    staged, _, report, _ = run(json.dumps(statuses).encode(), plan=TWEETS)
    assert staged.records_in == 1 and staged.quarantined == 1 and report[0]["index"] == 0
    staged, _, _, _ = run(json.dumps({"statuses": 5}).encode(), plan=TWEETS)
    assert "records_path 'statuses'" in staged.unreadable


def test_same_input_gives_byte_identical_parquet():
    data = ndjson([*(user(i) for i in range(200)), b"{oops", user(3, tags="no")])
    a = run(data)
    b = run(data)
    assert a[3] == b[3] and a[2] == b[2]


def test_fast_and_per_record_paths_agree():
    records = [user(i) for i in range(40)]
    records[5] = user(5, user={"id": 1.0, "email": "x", "active": True})
    records[9] = user(9, account={"balance": 1.234})
    records[11] = b'{"user":{"id":1} } {"x":1}'
    records[13] = user(13, updated_at="Sun 2024")
    records[17] = b"null"
    records[21] = user(21, tags=[1])
    data = ndjson(records)
    fast = run(data, fast=True, chunk_bytes=4096)
    slow = run(data, fast=False)
    assert fast[1] == slow[1]
    assert fast[2] == slow[2]
    assert fast[0].records_in == slow[0].records_in == 40


def test_timestamps_at_the_ends_of_years_1_to_9999_are_judged_as_the_validator_judges():
    # the offset moves each of these across the edge of year 1 or 9999 in UTC, or just keeps it inside
    edges = ["0001-01-01T00:30:00+0100", "0001-01-01T00:30:00-0100", "9999-12-31T23:30:00-0100",
             "9999-12-31T23:30:00+0100", "0001-01-01T00:00:00+0000", "9999-12-31T23:59:59+0000"]  # fmt: skip
    data = ndjson([user(i, updated_at=edge) for i, edge in enumerate(edges)])
    fast = run(data, fast=True)
    slow = run(data, fast=False)
    assert fast[1] == slow[1] and fast[2] == slow[2]
    assert fast[0].written == 4 and {r["line"] for r in fast[2]} == {1, 3}


@pytest.mark.parametrize(
    ("fmt", "day_offset"),
    [
        (None, 8),
        ("%a %b %d %H:%M:%S %z %Y", 8),
        ("%d/%m/%Y %H:%M", 0),
        ("%Y%m%d %H%M%S", 6),
        ("%Y-%m-%d %H:%M:%S%z", 8),  # this one and the next are read by Arrow's ISO 8601 cast, not strptime
        ("%Y-%m-%dT%H:%M:%S%z", 8),
        ("Tag %d. %b %Y %H:%M", 4),
        ("%H:%M %z %Y-%m-%d", None),  # an offset (Z, +0100 or +01:00) before the day: not at a fixed place
    ],
)
def test_impossible_dates_are_found_wherever_the_day_sits(fmt, day_offset):
    """Days 29-31 found by slicing at the day's fixed offset, or by a regex: values judged as the validator does."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from handler.temporal import parse_timestamps, timestamp_pattern
    from handler.validate import parse_timestamp

    pattern = timestamp_pattern(fmt)
    assert pattern.regex is not None and pattern.day_offset == day_offset
    template = "%Y-%m-%dT%H:%M:%S+00:00" if fmt is None else fmt.replace("%z", "+0100")
    texts = [
        datetime(year, month, 28, 7, 5, 9).strftime(template).replace("28", day, 1)  # no other 28 in these
        for year in (2023, 2024, 1900, 2000)
        for month in (1, 2, 4, 12)
        for day in ("27", "28", "29", "30", "31", "32", "00")
    ]
    if fmt and "%z" in fmt:  # every spelling of an offset
        texts += [t.replace("+0100", zone) for t in texts[:14] for zone in ("Z", "-05:30", "+0000", "+2400")]
    texts += ["", "29", "Ünï 30 x", "31" * 20, None]
    values, suspect = parse_timestamps(pa.array(texts, pa.string()), pattern)
    for text, value, doubt in zip(texts, values.to_pylist(), suspect.to_pylist(), strict=True):
        if text is None:
            assert value is None and not doubt
            continue
        try:
            expected = parse_timestamp(text, fmt)
        except ValueError:
            expected = None
        # a value Arrow accepted is exactly the validator's; one it did not is a suspect the validator decides
        assert (value == expected) if value is not None else doubt, (text, value, expected)
    assert pc.sum(pc.cast(suspect, pa.int64())).as_py() > 0


def test_blank_lines_and_crlf_keep_line_numbers():
    data = ndjson([user(1)]) + b"\n  \n" + json.dumps(user(2)).encode() + b"\r\n" + b'{"bad"\n'
    staged, _, report, _ = run(data)
    assert (staged.records_in, staged.written, staged.quarantined) == (3, 2, 1)
    assert report[0]["line"] == 5


def test_large_file_is_read_in_chunks_and_balances():
    recs = [user(i) for i in range(3000)]
    recs[1500] = b"garbage"
    staged, rows, report, _ = run(ndjson(recs), chunk_bytes=64 * 1024)
    assert staged.records_in == 3000 and staged.quarantined == 1 and report[0]["line"] == 1501
    assert sum(len(v) for v in rows.values()) == 2999


def test_users_contract_fast_path_is_available():
    assert USERS.read_schema is not None and TWEETS.read_schema is not None
    assert all(p.regex for p in USERS.timestamps.values())


def test_ahead_keeps_order_runs_in_order_and_bounds_what_is_in_flight():
    from handler.transform import ahead

    pulled, calls = [], []

    def items():
        for i in range(6):
            pulled.append(i)
            yield i

    def work(i):
        calls.append(i)
        return i * 10

    out = []
    for result in ahead(items(), work):
        # when result k is in the caller's hands, at most item k+1 has been pulled
        assert max(pulled) <= result // 10 + 1
        out.append(result)
    assert out == [0, 10, 20, 30, 40, 50]
    assert calls == [0, 1, 2, 3, 4, 5]


def test_ahead_propagates_a_failure_from_the_work_and_from_the_items():
    from handler.transform import ahead

    def work(i):
        if i == 2:
            raise OSError("S3 read failed")
        return i

    got = []
    with pytest.raises(OSError, match="S3 read failed"):
        for result in ahead(iter(range(5)), work):
            got.append(result)
    assert got == [0, 1]

    def items():
        yield 1
        raise ConnectionError("stream reset")

    with pytest.raises(ConnectionError, match="stream reset"):
        list(ahead(items(), lambda i: i))


def _reference_chunks(data: bytes, target: int) -> list[bytes]:
    """The chunking rule on the joined bytes: cut after the last newline before ``target``, else the first after."""
    out = []
    while data:
        if len(data) < target:
            out.append(data)
            break
        cut = data.rfind(b"\n", 0, target)
        if cut < 0:
            cut = data.find(b"\n", target)
        if cut < 0:
            out.append(data)
            break
        out.append(data[: cut + 1])
        data = data[cut + 1 :]
    return out


@pytest.mark.parametrize("seed", range(30))
def test_line_chunks_cut_whole_lines_wherever_the_blocks_end(seed):
    import random

    from handler.decode import Payload

    rng = random.Random(seed)
    lines = [b"x" * rng.choice([0, 1, 5, 30, 200]) for _ in range(rng.randint(0, 60))]
    data = b"\n".join(lines) + (b"\n" if rng.random() < 0.5 else b"")
    target = rng.choice([1, 7, 64, 300, 4096])
    cuts = sorted(rng.sample(range(1, max(2, len(data))), min(len(data) // 3, 12))) if data else []
    blocks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    chunks = list(Payload(blocks).line_chunks(target))
    assert chunks == _reference_chunks(data, target)
    assert b"".join(chunks) == data
