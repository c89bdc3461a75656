"""The real sample tweets through the `tweets` contract: nothing quarantined, values survive (pyarrow and DuckDB)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import TWEETS

SAMPLE = Path("/work/shared/data/twitter.json")
pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason=f"{SAMPLE} (real sample tweets) is not on this machine")


def test_real_tweets_go_through_with_zero_quarantined(tmp_path):
    import duckdb
    import pyarrow.parquet as pq

    from handler.transform import transform

    raw = SAMPLE.read_bytes()
    statuses = json.loads(raw)["statuses"]
    staged = transform([raw], TWEETS, tmp_path, "incoming/tweets/2014/08/31/twitter.json", "v1")
    assert (staged.records_in, staged.written, staged.quarantined, staged.unreadable) == (100, 100, 0, None)
    assert list(staged.partitions) == ["2014-08-31"]
    path = staged.partitions["2014-08-31"]
    rows = pq.read_table(path).to_pylist()
    con = duckdb.connect()
    con.register("t", pq.read_table(path))
    duck = {
        r[0]: r[1:] for r in con.execute("SELECT id, text, user_name, user_id, epoch_us(created_at) FROM t").fetchall()
    }
    assert len(rows) == len(statuses) == len(duck)
    for row, source in zip(rows, statuses, strict=True):
        assert row["id"] == source["id"] and row["text"] == source["text"]
        assert row["user_name"] == source["user"]["name"] and row["user_id"] == source["user"]["id"]
        expected_time = datetime.strptime(source["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
        assert row["created_at"] == expected_time
        hashtags = [{"text": h["text"], "indices": h["indices"]} for h in source["entities"]["hashtags"]]
        assert row["entities_hashtags"] == hashtags
        assert row["retweeted_status_id"] == source.get("retweeted_status", {}).get("id")
        text, user_name, user_id, created = duck[source["id"]]
        assert (text, user_name, user_id) == (source["text"], source["user"]["name"], source["user"]["id"])
        assert created == int(expected_time.timestamp()) * 1_000_000
    assert any(ord(c) > 0xFFFF for r in rows for c in r["text"])  # emoji survive (astral plane)


def test_real_tweets_as_ndjson_use_the_fast_path_with_the_same_result(tmp_path):
    import pyarrow.parquet as pq

    from handler.transform import transform

    statuses = json.loads(SAMPLE.read_bytes())["statuses"]
    lines = b"".join(json.dumps(s, ensure_ascii=False).encode() + b"\n" for s in statuses)
    a = transform([lines], TWEETS, tmp_path / "a", "k", None) if (tmp_path / "a").mkdir() is None else None
    b = (
        transform([SAMPLE.read_bytes()], TWEETS, tmp_path / "b", "k", None)
        if (tmp_path / "b").mkdir() is None
        else None
    )
    assert a.format == "ndjson" and a.isolated_chunks == 0 and a.quarantined == 0
    assert pq.read_table(a.partitions["2014-08-31"]).equals(pq.read_table(b.partitions["2014-08-31"]))
