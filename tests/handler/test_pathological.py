"""Pathological uploads through ``lambda_handler`` with a moto S3 event: each gives correct rows or a one-line
reason in quarantine, never an exception, and every record is accounted for."""

from __future__ import annotations

import gzip
import io
import json
import sys
import zlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import event_for, listing, ndjson, upload, user

from handler import app

KEY = "incoming/users/2024/05/01/odd.json"


def handle(lake, data: bytes, key: str = KEY) -> tuple[dict, list[dict], list[dict]]:
    """Upload ``data``, run the handler on its event: (log record, curated rows, quarantine report lines)."""
    s3, b, _ = lake
    version = upload(s3, b["raw"], key, data)
    out = app.lambda_handler(event_for((b["raw"], key, version)), None)["objects"][0]
    assert out["records_in"] == out["written"] + out["quarantined"]
    curated, quarantine = listing(s3, b["curated"]), listing(s3, b["quarantine"])
    rows = [row for k in out["curated_keys"] for row in pq.read_table(io.BytesIO(curated[k])).to_pylist()]
    report = [json.loads(line) for line in quarantine.get(out["quarantine_key"], b"").splitlines()]
    assert len(rows) == out["written"]
    assert len(report) == (1 if out["unreadable"] else out["quarantined"])
    for line in report:
        assert line["raw_key"] == key
    return out, rows, report


def test_nesting_thousands_deep_is_quarantined(lake):
    deep = b'{"user": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}"
    data = b"[" + json.dumps(user(1)).encode() + b", " + b"[" * 5000 + b"]" * 5000 + b", " + deep + b"]"
    out, _, report = handle(lake, data)
    assert (out["written"], out["quarantined"]) == (1, 2)
    assert [(r["index"], r["field"]) for r in report] == [(1, "<record>"), (2, "<record>")]
    assert all("recursion" in r["got"] for r in report)


def test_nesting_thousands_deep_on_an_ndjson_line_is_quarantined(lake):
    data = ndjson([user(1), b"[" * 5000 + b"]" * 5000, user(2)])
    out, _, report = handle(lake, data)
    assert (out["written"], out["quarantined"]) == (2, 1) and report[0]["line"] == 2


def test_a_record_larger_than_a_chunk_is_read(lake):
    big = user(1, user={**user(1)["user"], "name": "n" * (9 << 20)})  # over the 8 MB chunk
    data = json.dumps([user(0), big, user(2)]).encode()
    out, rows, _ = handle(lake, data)
    assert (out["written"], out["quarantined"]) == (3, 0)
    assert sorted(len(r["user_name"]) for r in rows)[-1] == 9 << 20


def test_a_100_mb_string_value_is_quarantined_by_size(lake):
    head = json.dumps(user(0)).encode() + b",\n"
    record = b'{"user": {"id": 1, "name": "' + b"s" * (100 << 20) + b'"}}'
    data = gzip.compress(b"[" + head + record + b",\n" + json.dumps(user(2)).encode() + b"]", 1)
    out, _, report = handle(lake, data)
    assert (out["written"], out["quarantined"]) == (2, 1)
    assert report[0]["index"] == 1 and report[0]["expected"].endswith("bytes (MAX_RECORD_BYTES)")
    assert report[0]["got"].startswith(f"{len(record)} bytes at byte ")
    assert len(report[0]["record_text"]) == 200


@pytest.mark.slow
def test_millions_of_tiny_records(lake):
    tiny = b'{"user":{"id":1,"email":"e","active":true},"updated_at":"2024-05-01T00:00:00Z"}'
    data = gzip.compress(b"[" + b",".join([tiny] * 1_000_000) + b"]", 1)
    out, _, _ = handle(lake, data)
    assert (out["records_in"], out["written"]) == (1_000_000, 1_000_000)


def test_a_utf8_bom_is_skipped(lake):
    out, _, _ = handle(lake, b"\xef\xbb\xbf" + json.dumps([user(1), user(2)]).encode())
    assert (out["written"], out["quarantined"]) == (2, 0)


def test_utf16_is_read_with_or_without_a_bom(lake):
    text = json.dumps([user(1), user(2, user={**user(2)["user"], "name": "Zoë 名前"})], ensure_ascii=False)
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        out, rows, _ = handle(lake, text.encode(encoding), f"incoming/users/2024/05/01/{encoding}.json")
        assert (out["written"], out["quarantined"]) == (2, 0), encoding
        assert "Zoë 名前" in {r["user_name"] for r in rows}
    out, _, report = handle(lake, "[1]".encode("utf-16")[:-1], "incoming/users/2024/05/01/odd-bytes.json")
    assert out["unreadable"].startswith("not valid UTF-16") and report[0]["reason"] == out["unreadable"]


def test_a_gzip_bomb_stops_at_the_configured_limit(lake, monkeypatch):
    monkeypatch.setenv("MAX_DECOMPRESSED_BYTES", str(50 << 20))
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    bomb = compressor.compress(b"[") + b"".join(compressor.compress(block) for _ in range(1024)) + compressor.flush()
    assert len(bomb) < 2 << 20  # 1 GiB decompressed
    out, rows, report = handle(lake, bomb)
    assert out["unreadable"] == f"decompressed size exceeds the limit of {50 << 20} bytes (MAX_DECOMPRESSED_BYTES)"
    assert rows == [] and report[0]["reason"] == out["unreadable"]


def test_concatenated_gzip_members_are_all_read(lake):
    data = gzip.compress(ndjson([user(1), user(2)])) + gzip.compress(ndjson([user(3)]))
    out, rows, _ = handle(lake, data)
    assert (out["written"], sorted(r["user_id"] for r in rows)) == (3, [1, 2, 3])


def test_malformed_array_keeps_the_records_before_it(lake):
    _, rows, report = handle(lake, b"[" + json.dumps(user(1)).encode() + b",, " + json.dumps(user(2)).encode())
    assert [r["user_id"] for r in rows] == [1, 2]
    assert [(r["index"], r["got"].split(" at byte")[0]) for r in report] == [
        (1, "a stray ','"),
        (3, "the document ends before it closes (truncated)"),
    ]
