"""`lake etl run`: what the handler would write for a local file, without AWS."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import ndjson, user

from lake.cli import main as lake_main


def _lake(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = lake_main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_etl_run_reports_what_would_be_written_and_keeps_the_files(tmp_path):
    records = [user(i) for i in range(6)]
    records[4] = {"user": {"id": "four"}}
    source = tmp_path / "users.json.gz"
    source.write_bytes(gzip.compress(ndjson(records)))
    code, out, err = _lake("etl", "run", str(source), "--dataset", "users", "--json", "--output", str(tmp_path / "o"))
    result = json.loads(out)
    assert code == 1 and err == ""  # something was quarantined: non-zero, as a CI check would want
    assert (result["contract"], result["format"]) == ("users v1", "ndjson")
    assert (result["records_in"], result["written"], result["quarantined"]) == (6, 5, 1)
    assert sum(p["rows"] for p in result["curated"].values()) == 5
    assert all(p["key"].startswith("dataset/users/schema=1/dt=") for p in result["curated"].values())
    assert result["quarantine_sample"][0]["line"] == 5 and result["quarantine_sample"][0]["field"] == "user_id"
    kept = sorted((tmp_path / "o").iterdir())
    assert sum(pq.read_metadata(p).num_rows for p in kept if p.suffix == ".parquet") == 5
    assert (tmp_path / "o" / "quarantine.ndjson").read_text(encoding="utf-8").count("\n") == 1


def test_etl_run_prints_a_summary_and_names_bad_input_in_one_line(tmp_path):
    clean = tmp_path / "clean.json"
    clean.write_bytes(ndjson([user(1), user(2)]))
    code, out, _ = _lake("etl", "run", str(clean), "--dataset", "users")
    assert code == 0 and "records in 2, written 2, quarantined 0" in out and "would write" in out
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"not json\n")
    code, out, _ = _lake("etl", "run", str(broken), "--dataset", "users")
    assert code == 1 and "unreadable" in out
    code, _, err = _lake("etl", "run", str(tmp_path / "missing.json"), "--dataset", "users")
    assert code != 0 and err.strip().endswith("missing.json: no such file") and "Traceback" not in err
    code, _, err = _lake("etl", "run", str(clean), "--dataset", "nope")
    assert code != 0 and "no contract for dataset 'nope'" in err and err.count("\n") == 1
