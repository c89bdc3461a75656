"""The lake as a user lives in it: queries over the catalog, replay, and the wrong-filter case, on a real apply.

These tests apply ``infra/envs/local`` into their own moto server (module scope), so the shared deployment the
drift and infra tests use is never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import contracts
from lake.cli import main as lake_main
from lake.demo import USERS_QUERY
from lake.deploy import LocalLake
from lake.dispatcher import LocalDispatcher, s3_event
from lake.local_aws import LocalAWS
from lake.replay import replay_dataset
from lake.samples import tweets_document, users_ndjson
from lake.workspace import resolve

CHECKOUT = resolve(Path(__file__).parent)  # this test file's checkout, wherever lake is installed

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def lake6(lake_artifacts, tmp_path_factory):
    handler_zip, layer_zip = lake_artifacts
    with LocalAWS.start() as aws:
        lake = LocalLake(aws, tmp_path_factory.mktemp("lake6"), handler_zip, layer_zip)
        lake.init()
        lake.apply()
        raw = lake.outputs["raw_bucket"]
        s3 = aws.client("s3")
        tweets, _ = tweets_document()
        users, _ = users_ndjson(200, seed=3)
        s3.put_object(Bucket=raw, Key="incoming/tweets/2014/08/31/dump.json", Body=tweets, IfNoneMatch="*")
        s3.put_object(Bucket=raw, Key="incoming/users/2024/05/01/users.json", Body=users, IfNoneMatch="*")
        results = LocalDispatcher(aws, raw).poll_once()
        assert [r.ok for r in results] == [True, True], results
        yield lake
        lake.close()


def _lake_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = lake_main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _snapshot(s3, bucket: str, prefix: str) -> dict[str, str]:
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            out[obj["Key"]] = hashlib.sha256(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()).hexdigest()
    return out


def test_lake_query_on_tweets_equals_the_source_json(lake6):
    source = sorted(json.loads(tweets_document()[0])["statuses"], key=lambda s: s["id"])
    sql = "SELECT id, text, user_screen_name, lang, created_at, dt FROM tweets_v1 ORDER BY id"
    code, out, err = _lake_cli(
        "query", sql, "--endpoint", lake6.aws.endpoint, "--database", lake6.outputs["glue_database"], "--format", "json"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == len(source)
    for row, status in zip(rows, source, strict=True):
        created = datetime.strptime(status["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
        assert row["id"] == status["id"]
        assert row["text"] == status["text"]  # unicode (Japanese, emoji) survives end to end
        assert row["user_screen_name"] == status["user"]["screen_name"]
        assert row["lang"] == status["lang"]
        assert datetime.fromisoformat(row["created_at"]) == created
        assert row["dt"] == created.strftime("%Y-%m-%d")


def test_aggregate_query_matches_python(lake6):
    source = json.loads(tweets_document()[0])["statuses"]
    expected: dict[str, int] = {}
    for s in source:
        expected[s["lang"]] = expected.get(s["lang"], 0) + 1
    code, out, err = _lake_cli(
        "query",
        "SELECT lang, count(*) AS n FROM tweets_v1 GROUP BY lang",
        "--endpoint",
        lake6.aws.endpoint,
        "--database",
        lake6.outputs["glue_database"],
        "--format",
        "json",
    )
    assert code == 0, err
    assert {r["lang"]: r["n"] for r in json.loads(out)} == expected


def test_catalog_type_that_disagrees_with_parquet_fails_clearly(lake6):
    glue = lake6.aws.client("glue")
    db = lake6.outputs["glue_database"]
    table = glue.get_table(DatabaseName=db, Name="tweets_v1")["Table"]
    keep = {
        k: table[k] for k in ("Name", "StorageDescriptor", "PartitionKeys", "TableType", "Parameters") if k in table
    }
    broken = json.loads(json.dumps(keep, default=str))
    for col in broken["StorageDescriptor"]["Columns"]:
        if col["Name"] == "retweet_count":
            col["Type"] = "string"
    glue.update_table(DatabaseName=db, TableInput=broken)
    try:
        code, out, err = _lake_cli(
            "query", "SELECT count(*) FROM tweets_v1", "--endpoint", lake6.aws.endpoint, "--database", db
        )
    finally:
        glue.update_table(DatabaseName=db, TableInput=json.loads(json.dumps(keep, default=str)))
    assert code == 2 and out == ""
    assert err.startswith("lake: error: table ")
    assert "column 'retweet_count' is string in the Glue catalog but the Parquet file" in err
    assert "stores int64" in err and "Traceback" not in err


def _query_json(lake6, sql: str) -> tuple[list[dict], str]:
    code, out, err = _lake_cli(
        "query", sql, "--endpoint", lake6.aws.endpoint, "--database", lake6.outputs["glue_database"], "--format", "json"
    )
    assert code == 0, err
    return json.loads(out), err


def test_crawler_mode_query_finds_no_rows_until_lake_crawl_registers_the_day(lake6):
    """The seed's steps 5-7 as Athena shows them: after the ETL, 0 rows and the unregistered day named; after the
    crawl, exactly the source file's rows; a second crawl adds nothing."""
    db = lake6.outputs["glue_database"]
    source = [json.loads(line) for line in users_ndjson(200, seed=3)[0].splitlines()]
    days = sorted({datetime.strptime(s["updated_at"], "%Y-%m-%dT%H:%M:%S%z").strftime("%Y-%m-%d") for s in source})

    rows, note = _query_json(lake6, "SELECT count(*) AS n FROM users_v1")
    assert rows == [{"n": 0}]
    assert note.count("\n") == 1 and f"users_v1 has {len(days)} dt= folder(s)" in note
    assert all(day in note for day in days[:5]) and "`lake crawl users`" in note

    code, out, err = _lake_cli("crawl", "users", "--endpoint", lake6.aws.endpoint, "--database", db)
    assert code == 0, err
    assert f"-> users_v1: {len(days)} partition(s) added ({days[0]}" in out
    assert "0 schema difference(s)" in out

    rows, note = _query_json(lake6, "SELECT user_id, user_email, dt FROM users_v1 ORDER BY user_id")
    assert note == ""
    assert [(r["user_id"], r["user_email"]) for r in rows] == sorted(
        (s["user"]["id"], s["user"]["email"]) for s in source
    )
    glue = lake6.aws.client("glue")
    parts = glue.get_partitions(DatabaseName=db, TableName="users_v1")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == days

    code, out, err = _lake_cli("crawl", "users", "--endpoint", lake6.aws.endpoint, "--database", db)
    assert code == 0 and "-> users_v1: 0 partition(s) added" in out, out + err
    assert len(glue.get_partitions(DatabaseName=db, TableName="users_v1")["Partitions"]) == len(days)


def test_projection_mode_rows_are_visible_right_after_the_etl_with_no_crawl(lake6):
    db = lake6.outputs["glue_database"]
    glue = lake6.aws.client("glue")
    table = glue.get_table(DatabaseName=db, Name="tweets_v1")["Table"]
    assert table["Parameters"]["projection.enabled"] == "true"
    assert table["Parameters"]["storage.location.template"].endswith("/dataset/tweets/schema=1/dt=${dt}/")
    assert glue.get_partitions(DatabaseName=db, TableName="tweets_v1")["Partitions"] == []  # never crawled
    rows, note = _query_json(lake6, "SELECT count(*) AS n FROM tweets_v1")
    assert rows == [{"n": len(json.loads(tweets_document()[0])["statuses"])}] and note == ""


def test_replay_twice_leaves_curated_byte_identical(lake6):
    s3 = lake6.aws.client("s3")
    curated = lake6.outputs["curated_bucket"]
    before = _snapshot(s3, curated, "dataset/users/")
    assert before, "the fixture's upload should have landed"
    dispatcher = LocalDispatcher(lake6.aws, lake6.outputs["raw_bucket"])
    function = lake6.outputs["functions"]["users"]["name"]
    first = replay_dataset(dispatcher, function, "users")
    assert (first.objects, first.records_in, first.failed) == (1, 200, [])
    replay_dataset(dispatcher, function, "users")
    assert _snapshot(s3, curated, "dataset/users/") == before


def test_replay_into_v2_writes_schema_2_and_leaves_schema_1(lake6, tmp_path, monkeypatch):
    root = tmp_path / "contracts"
    shutil.copytree(contracts.CONTRACTS_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    v2 = json.loads((root / "users" / "v1.json").read_text())
    v2["version"] = 2
    v2["fields"].append({"name": "user_locale", "path": "user.locale", "type": "string", "nullable": True})
    (root / "users" / "v2.json").write_text(json.dumps(v2))
    monkeypatch.setattr(contracts, "CONTRACTS_DIR", root)

    s3 = lake6.aws.client("s3")
    curated = lake6.outputs["curated_bucket"]
    v1_before = _snapshot(s3, curated, "dataset/users/schema=1/")
    dispatcher = LocalDispatcher(lake6.aws, lake6.outputs["raw_bucket"])
    summary = replay_dataset(dispatcher, lake6.outputs["functions"]["users"]["name"], "users", schema_version=2)
    assert summary.failed == [] and summary.written == 200
    v2_keys = _snapshot(s3, curated, "dataset/users/schema=2/")
    assert v2_keys and all("/dt=" in k and k.endswith(".parquet") for k in v2_keys)
    assert _snapshot(s3, curated, "dataset/users/schema=1/") == v1_before


def _status(lake, tmp_path, *extra: str) -> tuple[int, str, str]:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(lake.outputs))
    return _lake_cli("status", "--endpoint", lake.aws.endpoint, "--outputs", str(outputs), *extra)


def test_status_is_green_on_the_processed_lake_then_red_with_an_event_in_the_failure_queue(lake6, tmp_path):
    """`lake status` on the lake the tests above used (the file's last test on lake6: it leaves a quarantined
    upload behind)."""
    aws, out = lake6.aws, lake6.outputs
    raw = out["raw_bucket"]
    s3 = aws.client("s3")
    broken = "incoming/users/2024/05/02/broken.json"  # unreadable: quarantined, shown, not alarming
    s3.put_object(Bucket=raw, Key=broken, Body=b'{"user": ', IfNoneMatch="*")
    dispatcher = LocalDispatcher(aws, raw)
    with contextlib.redirect_stdout(io.StringIO()):
        invocations = dispatcher.poll_once()
    # a new dispatcher sends every object in raw again (the same output, written again): all of them succeed
    assert broken in {inv.key for inv in invocations} and all(inv.ok for inv in invocations), invocations
    code, text, err = _status(lake6, tmp_path, "--format", "json")
    assert code == 0, text + err
    green = json.loads(text)
    assert green["healthy"] and green["problems"] == [] and green["failure_queue_messages"] == 0
    by_name = {d["dataset"]: d for d in green["datasets"]}
    days = {json.loads(line)["updated_at"][:10] for line in users_ndjson(200, seed=3)[0].splitlines()}
    assert by_name["users"]["newest_raw_key"] == broken
    assert by_name["users"]["newest_partition"] == f"dt={max(days)}"
    assert by_name["tweets"]["newest_raw_key"] == "incoming/tweets/2014/08/31/dump.json"
    assert by_name["tweets"]["lag_seconds"] == 0.0
    assert green["quarantine_24h"] == {"users": 1}
    assert {c["name"] for c in green["crawlers"]} == set(out["crawlers"].values())
    assert green["alarms_in_alarm"] == []

    # an event the function cannot process (a version that does not exist) ends in the failure queue
    function = out["functions"]["users"]["name"]
    key = "incoming/users/2024/05/02/late-signups.json"
    event = s3_event(raw, key, "no-such-version", 1, '"e"', aws.region)
    with contextlib.redirect_stdout(io.StringIO()):
        assert not dispatcher.invoke(function, event, key, "no-such-version").ok
    sqs = aws.client("sqs")
    try:
        code, text, _ = _status(lake6, tmp_path)
        assert code == 1
        assert "NEEDS A PERSON: 1 event(s) in the failure queue lake-local-etl-failures" in text
        assert "`lake replay --redrive`" in text
    finally:
        for message in sqs.receive_message(QueueUrl=out["failure_queue_url"], MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            sqs.delete_message(QueueUrl=out["failure_queue_url"], ReceiptHandle=message["ReceiptHandle"])


def test_demo_with_a_wrong_notification_filter_processes_nothing_and_says_so(lake_artifacts, tmp_path):
    """A typo in the notification prefix: in AWS the objects would sit in raw unprocessed; locally too."""
    copy = tmp_path / "repo"
    shutil.copytree(CHECKOUT.infra, copy / "infra", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    shutil.copytree(CHECKOUT.contracts, copy / "contracts", ignore=shutil.ignore_patterns("__pycache__"))
    main_tf = copy / "infra" / "layers" / "ingestion" / "main.tf"
    text = main_tf.read_text()
    assert 'filter_prefix       = "incoming/${lambda_function.value.dataset}/"' in text
    main_tf.write_text(
        text.replace(
            '"incoming/${lambda_function.value.dataset}/"', '"incoming/${lambda_function.value.dataset}-typo/"'
        )
    )
    from lake.demo import run_demo

    lines: list[str] = []
    code = run_demo(out=lines.append, users=20, config_dir=copy / "infra" / "envs" / "local")
    text = "\n".join(lines)
    assert code == 0, text
    assert "no notification matches s3://lake-local-raw/incoming/users/2024/05/01/signups batch+1.json.gz" in text
    assert "note: 4 object(s) were not processed: no notification filter matched them" in text
    assert "curated    s3://" not in text  # nothing landed


def test_lake_demo_from_a_clean_environment(tmp_path):
    """The README's first command (`tox -e demo`: `lake demo` from the checkout's root), as a subprocess with a
    clean environment."""
    import os
    import subprocess
    import sys

    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SSL_CERT_FILE", "TERRAFORM", "LAKE_TF_PLUGIN_DIR", "TF_CLI_CONFIG_FILE")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["LAKE_HOME"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "lake", "demo"], cwd=CHECKOUT.root, env=env, capture_output=True, text=True, timeout=600
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "Traceback" not in out + proc.stderr
    assert out.count("] ok ") == 13
    # the seed's steps in order: a users query with no rows (no partition yet), the crawl, the same query with rows
    before, after_crawl = out.split("lake crawl: the crawlers register the new dt partitions")
    users_before = before.split(f"> {USERS_QUERY}")[1]
    assert "0 row(s) via duckdb" in users_before and "register them with `lake crawl users`" in users_before
    assert (
        "-> users_v1: 3 partition(s) added" in after_crawl and "-> tweets_v1: no partitions registered" in after_crawl
    )
    users_after = after_crawl.split(f"> {USERS_QUERY}")[1].split("console-style change")[0]
    assert "3 row(s) via duckdb" in users_after and "lake crawl" not in users_after
    tweets = len(json.loads(tweets_document()[0])["statuses"])
    # 500 clean users + 45 of 50 mixed + the tweets are written; 5 bad records and 1 unreadable file quarantined.
    assert (
        f"records uploaded {550 + tweets}: written {545 + tweets} + quarantined 5 (+ 1 unreadable file report(s))"
        in out
    )
    langs: dict[str, int] = {}
    for s in json.loads(tweets_document()[0])["statuses"]:
        langs[s["lang"]] = langs.get(s["lang"], 0) + 1
    top_lang, top_n = sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    assert [line for line in out.splitlines() if f" {top_lang} " in line and f" {top_n} " in line], out
    crawler = out.split("console-style change: delete crawler ")[1].split(",")[0]
    report = out.split("drift check: every layer's Terraform state vs live")[1]
    assert crawler in report, report
    assert "critical" in report.lower() and "versioning" in report.lower(), report
    assert "lake drift exit code 1" in out
