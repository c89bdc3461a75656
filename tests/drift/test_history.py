"""`lake drift --previous`: over two (and three) runs, each finding is new or persisting with its first-seen date,
and a fixed one is listed as resolved; the Markdown summary leads with what changed."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from drift.history import NEW, PERSISTING, compare, load_previous
from lake.cli import main
from lake.errors import LakeError

TODAY = dt.datetime.now(dt.UTC).date()
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()


def test_compare_marks_new_persisting_and_resolved():
    previous = {
        "generated_at": "2026-11-30T03:17:00Z",
        "findings": [
            {"kind": "changed", "address": "a", "severity": "critical", "type": "t", "message": "m",
             "history": {"status": "persisting", "first_seen": "2026-11-20"}},
            {"kind": "deleted", "address": "b", "severity": "warning", "type": "t", "message": "gone"},
            {"kind": "changed", "address": "c", "severity": "warning", "type": "t", "message": "m"},
        ],
    }  # fmt: skip
    history = compare(
        previous, [("changed", "a"), ("deleted", "b"), ("unmanaged", "c"), ("changed", "d")], "2026-12-01"
    )
    assert history.mark("changed", "a").status == PERSISTING and history.mark("changed", "a").first_seen == "2026-11-20"
    assert history.mark("deleted", "b").first_seen == "2026-11-30"  # no history in that report: its own date
    assert history.mark("unmanaged", "c").status == NEW  # another kind on the same address is another finding
    assert history.mark("changed", "d").status == NEW and history.mark("changed", "d").first_seen == "2026-12-01"
    assert [(r["kind"], r["address"], r["first_seen"]) for r in history.resolved] == [("changed", "c", "2026-11-30")]
    assert history.counts() == {"new": 2, "persisting": 2, "resolved": 1}


def test_previous_report_errors_are_one_line(tmp_path):
    with pytest.raises(LakeError, match="no previous report at this path"):
        load_previous(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(LakeError, match=r"bad\.json: not a readable JSON drift report"):
        load_previous(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text("[]")
    with pytest.raises(LakeError, match="not a `lake drift --json` report"):
        load_previous(tmp_path / "other.json")


@pytest.fixture
def three_buckets(local_aws, tmp_path):
    """Three versioned buckets made through boto3 and a hand-written state that manages their versioning."""
    names = [f"hist-{uuid.uuid4().hex[:8]}-{i}" for i in range(3)]
    s3 = local_aws.client("s3")
    resources = []
    for i, name in enumerate(names):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        attrs = {"id": name, "bucket": name, "versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}]}
        resources.append({"mode": "managed", "type": "aws_s3_bucket_versioning", "name": f"b{i}",
                          "instances": [{"attributes": attrs}]})  # fmt: skip
    path = tmp_path / "terraform.tfstate"
    path.write_text(json.dumps({"version": 4, "resources": resources}))
    return names, path


def _versioning(local_aws, bucket, status):
    local_aws.client("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def _drift(local_aws, state, *args):
    return main(["drift", str(state), "--quiet", "--endpoint-url", local_aws.endpoint, "--region", local_aws.region,
                 *map(str, args)])  # fmt: skip


def test_two_nightly_runs_remember_first_seen_new_and_resolved(local_aws, three_buckets, tmp_path, monkeypatch):
    for key, value in local_aws.environment().items():
        monkeypatch.setenv(key, value)
    names, state = three_buckets
    a, b, c = (f"aws_s3_bucket_versioning.b{i}" for i in range(3))
    # last night: b0 and b1 suspended; the report is yesterday's
    _versioning(local_aws, names[0], "Suspended")
    _versioning(local_aws, names[1], "Suspended")
    assert _drift(local_aws, state, "--json", tmp_path / "night1.json") == 1
    night1 = json.loads((tmp_path / "night1.json").read_text())
    night1["generated_at"] = f"{YESTERDAY}T03:17:00Z"
    (tmp_path / "night1.json").write_text(json.dumps(night1))
    # during the day b1 is fixed and b2 is suspended
    _versioning(local_aws, names[1], "Enabled")
    _versioning(local_aws, names[2], "Suspended")
    code = _drift(local_aws, state, "--previous", tmp_path / "night1.json", "--json", tmp_path / "night2.json",
                  "--markdown", tmp_path / "night2.md")  # fmt: skip
    assert code == 1
    night2 = json.loads((tmp_path / "night2.json").read_text())
    marks = {f["address"]: f["history"] for f in night2["findings"]}
    assert marks == {a: {"status": "persisting", "first_seen": YESTERDAY},
                     c: {"status": "new", "first_seen": TODAY.isoformat()}}  # fmt: skip
    assert [(r["address"], r["first_seen"]) for r in night2["resolved"]] == [(b, YESTERDAY)]
    assert night2["history"] == {"previous_generated_at": f"{YESTERDAY}T03:17:00Z", "new": 1, "persisting": 1,
                                      "resolved": 1}  # fmt: skip
    summary = (tmp_path / "night2.md").read_text()
    assert summary.index("## What changed since the last report") < summary.index("| severity | kind |")
    assert "1 new, 1 persisting, 1 resolved" in summary and f"`{b}` (first seen {YESTERDAY})" in summary
    assert f"`{a}` since {YESTERDAY}" in summary
    # the next night the first-seen dates carry over from the report itself
    _versioning(local_aws, names[0], "Enabled")
    assert _drift(local_aws, state, "--previous", tmp_path / "night2.json", "--json", tmp_path / "night3.json") == 1
    night3 = json.loads((tmp_path / "night3.json").read_text())
    assert {f["address"]: f["history"]["status"] for f in night3["findings"]} == {c: "persisting"}
    assert night3["findings"][0]["history"]["first_seen"] == TODAY.isoformat()
    assert [(r["address"], r["first_seen"]) for r in night3["resolved"]] == [(a, YESTERDAY)]
    _versioning(local_aws, names[2], "Enabled")


def test_missing_previous_report_is_one_line_exit_2(local_aws, three_buckets, tmp_path, capsys):
    _, state = three_buckets
    assert _drift(local_aws, state, "--previous", tmp_path / "none.json") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no previous report at this path" in err
