"""`lake replay --aws` against botocore's Stubber: the manifest, the CreateJob request, job polling, the dry run's
estimate, the S3 Inventory source, and the one-line refusal against the local endpoint (which has no S3 Control)."""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
from datetime import UTC, date, datetime
from urllib.parse import unquote_plus

import boto3
import pytest
from botocore.stub import ANY, Stubber

from lake import batch_replay as br
from lake.batch_cli import run_replay_aws
from lake.cli import main
from lake.replay import RawVersion

ACCOUNT = "123456789012"
OUTPUTS = {
    "raw_bucket": {"value": "acme-lake-raw", "type": "string", "sensitive": False},
    "artifacts_bucket": {"value": "acme-lake-artifacts", "type": "string", "sensitive": False},
    "functions": {
        "value": {
            "users": {
                "name": "acme-lake-etl-users",
                "arn": f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:acme-lake-etl-users",
            }
        },
        "type": "object",
        "sensitive": False,
    },
    "replay": {
        "value": {
            "role_arn": f"arn:aws:iam::{ACCOUNT}:role/acme-lake-batch-operations",
            "manifest_prefix": "replay/manifests/",
            "report_prefix": "replay/reports/",
        },
        "type": "object",
        "sensitive": False,
    },
}
TARGET = br.ReplayTarget.from_outputs(OUTPUTS, "users")
WHEN = datetime(2024, 5, 2, tzinfo=UTC)
KEYS = [
    "incoming/users/2024/05/01/a b+c.json",
    "incoming/users/2024/05/02/ünï.json",
    "incoming/users/2024/06/01/z.json",
]


def client(name: str):
    return boto3.client(
        name, region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )  # fmt: skip


def version(key, vid, latest=True, size=1000):
    return {"Key": key, "VersionId": vid, "Size": size, "ETag": '"e"', "IsLatest": latest, "LastModified": WHEN}


def args(**over) -> argparse.Namespace:
    base = dict(dataset="users", schema_version=None, all_versions=False, since=None, until=None, dry_run=False,
                no_wait=True, list=False)  # fmt: skip
    return argparse.Namespace(**(base | over))


def stub_listing(s3: Stubber, versions: list[dict], inventory: list | None = None) -> None:
    s3.add_response("list_bucket_inventory_configurations", {"InventoryConfigurationList": inventory or []},
                    {"Bucket": "acme-lake-raw"})  # fmt: skip
    s3.add_response("list_object_versions", {"Versions": versions, "IsTruncated": False},
                    {"Bucket": "acme-lake-raw", "Prefix": "incoming/users/"})  # fmt: skip


# --------------------------------------------------------------------------- pure


def test_manifest_is_bucket_key_version_csv_with_url_encoded_keys():
    versions = [RawVersion(k, f"v{i}", 1, "e", True) for i, k in enumerate(KEYS)] + [
        RawVersion('incoming/users/x,y".json', None, 1, "e", True)
    ]
    text = br.manifest_csv("acme-lake-raw", versions).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["acme-lake-raw", "incoming/users/2024/05/01/a%20b%2Bc.json", "v0"]
    assert rows[1][1] == "incoming/users/2024/05/02/%C3%BCn%C3%AF.json"
    assert [unquote_plus(r[1]) for r in rows] == [*KEYS, 'incoming/users/x,y".json']  # the handler's decoding
    assert all(len(r) == 3 for r in rows) and rows[-1][2] == ""
    assert text.count("\n") == 4 and "," not in rows[-1][1]


def test_create_job_request_invokes_the_function_with_schema_2_and_reports_all_tasks():
    request = br.create_job_request(function_arn=TARGET.function_arn, role_arn=TARGET.role_arn,
                                    artifacts_bucket="acme-lake-artifacts", manifest_key="replay/manifests/users/t.csv",
                                    manifest_etag="abc", report_prefix="replay/reports/", token="tok",
                                    description="d", schema_version=2)  # fmt: skip
    assert request == {
        "AccountId": ACCOUNT,
        "ConfirmationRequired": False,
        "Operation": {
            "LambdaInvoke": {
                "FunctionArn": TARGET.function_arn,
                "InvocationSchemaVersion": "2.0",
                "UserArguments": {"schemaVersion": "2"},
            }
        },
        "Report": {
            "Bucket": "arn:aws:s3:::acme-lake-artifacts",
            "Format": "Report_CSV_20180820",
            "Enabled": True,
            "Prefix": "replay/reports",
            "ReportScope": "AllTasks",
        },
        "ClientRequestToken": "tok",
        "Manifest": {
            "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key", "VersionId"]},
            "Location": {"ObjectArn": "arn:aws:s3:::acme-lake-artifacts/replay/manifests/users/t.csv", "ETag": "abc"},
        },
        "Description": "d",
        "Priority": 10,
        "RoleArn": TARGET.role_arn,
    }
    plain = br.create_job_request(function_arn="f", role_arn=TARGET.role_arn, artifacts_bucket="b", manifest_key="k",
                                  manifest_etag="e", report_prefix="r/", token="t", description="d")  # fmt: skip
    assert "UserArguments" not in plain["Operation"]["LambdaInvoke"]
    with pytest.raises(br.BatchReplayError, match="not an ARN with an account id"):
        br.account_of("acme-lake-batch-operations")


def test_the_same_replay_gets_the_same_token_and_another_schema_another():
    manifest = b"acme-lake-raw,k,v\n"
    assert br.client_token("f", None, manifest) == br.client_token("f", None, manifest)
    assert br.client_token("f", 2, manifest) != br.client_token("f", None, manifest)
    assert br.client_token("f", None, manifest + b"x,y,z\n") != br.client_token("f", None, manifest)


def test_estimate_counts_requests_gb_seconds_and_job_fees():
    versions = [RawVersion(f"k{i}", "v", 50_000_000, "e", True) for i in range(1000)]  # 50 GB
    est = br.estimate(versions, b"x" * 100, memory_mb=2048, mb_per_second=50.0)
    seconds = 1000 * 0.1 + 50e9 / 50e6
    assert est.lambda_usd == pytest.approx(1000 * 0.2e-6 + seconds * 2 * 0.0000166667)
    assert est.batch_usd == pytest.approx(0.25 + 1000 * 1e-6)
    assert est.objects == 1000 and est.bytes == 50_000_000_000 and est.manifest_bytes == 100
    assert "1000 object version(s), 50000.0 MB" in est.lines()[0] and "$0." in est.lines()[1]


# --------------------------------------------------------------------------- against stubbed clients


def test_replay_lists_versions_writes_the_manifest_and_creates_the_job():
    s3, s3control = client("s3"), client("s3control")
    listed = [version(KEYS[0], "v1"), version(KEYS[0], "v0", latest=False), version(KEYS[1], "v2"),
              version(KEYS[2], "v3"), version("incoming/users/notes.txt", "v4")]  # fmt: skip
    with Stubber(s3) as s3_stub, Stubber(s3control) as control_stub:
        stub_listing(s3_stub, listed)
        chosen = [RawVersion(KEYS[0], "v1", 1000, '"e"', True), RawVersion(KEYS[1], "v2", 1000, '"e"', True)]
        manifest = br.manifest_csv("acme-lake-raw", chosen)
        token = br.client_token(TARGET.function_arn, 2, manifest)
        key = f"replay/manifests/users/{token[:16]}.csv"
        s3_stub.add_response("put_object", {"ETag": '"etag1"'},
                             {"Bucket": "acme-lake-artifacts", "Key": key, "Body": manifest, "ContentType": "text/csv"})  # fmt: skip
        expected = br.create_job_request(function_arn=TARGET.function_arn, role_arn=TARGET.role_arn,
                                         artifacts_bucket="acme-lake-artifacts", manifest_key=key,
                                         manifest_etag="etag1", report_prefix="replay/reports/", token=token,
                                         description="lake replay users into schema 2: 2 object version(s)",
                                         schema_version=2)  # fmt: skip
        control_stub.add_response("create_job", {"JobId": "job-1"}, expected)
        lines: list[str] = []
        code = run_replay_aws(args(schema_version=2, until=date(2024, 5, 31)), {"s3": s3, "s3control": s3control},
                              OUTPUTS, out=lines.append)  # fmt: skip
        s3_stub.assert_no_pending_responses()
        control_stub.assert_no_pending_responses()
    assert code == 0
    assert lines == [
        "2 object version(s) of users from ListObjectVersions",
        f"job id: job-1 (manifest s3://acme-lake-artifacts/{key})",
    ]


def _job(status, total, ok, failed):
    return {"Job": {"JobId": "job-1", "Status": status,
                    "ProgressSummary": {"TotalNumberOfTasks": total, "NumberOfTasksSucceeded": ok,
                                        "NumberOfTasksFailed": failed},
                    "Report": {"Bucket": "arn:aws:s3:::acme-lake-artifacts", "Format": "Report_CSV_20180820",
                               "Enabled": True, "Prefix": "replay/reports", "ReportScope": "AllTasks"}}}  # fmt: skip


def test_follow_job_polls_until_the_job_ends_and_summarises():
    s3control = client("s3control")
    sleeps: list[float] = []
    seen: list[br.JobProgress] = []
    with Stubber(s3control) as stub:
        for response in (
            _job("New", 0, 0, 0),
            _job("Active", 10, 4, 0),
            _job("Active", 10, 9, 1),
            _job("Complete", 10, 9, 1),
        ):
            stub.add_response("describe_job", response, {"AccountId": ACCOUNT, "JobId": "job-1"})
        current, job = br.follow_job(s3control, ACCOUNT, "job-1", seen.append, interval=2.0, sleep=sleeps.append)
        stub.assert_no_pending_responses()
    assert [p.status for p in seen] == ["New", "Active", "Active", "Complete"] and sleeps == [2.0, 2.0, 2.0]
    assert (current.total, current.succeeded, current.failed, current.done) == (10, 9, 1, True)
    assert br.summary_lines(current, job) == [
        "job job-1 Complete: 9 task(s) succeeded, 1 failed of 10",
        "completion report: s3://acme-lake-artifacts/replay/reports/job-job-1/",
    ]


def test_waiting_replay_exits_non_zero_when_a_task_failed():
    s3, s3control = client("s3"), client("s3control")
    with Stubber(s3) as s3_stub, Stubber(s3control) as control_stub:
        stub_listing(s3_stub, [version(KEYS[0], "v1")])
        s3_stub.add_response("put_object", {"ETag": '"e"'}, {"Bucket": "acme-lake-artifacts", "Key": ANY, "Body": ANY,
                                                            "ContentType": "text/csv"})  # fmt: skip
        control_stub.add_response("create_job", {"JobId": "job-1"})
        control_stub.add_response("describe_job", _job("Active", 1, 0, 0))
        control_stub.add_response("describe_job", _job("Complete", 1, 0, 1))
        lines: list[str] = []
        code = run_replay_aws(args(no_wait=False), {"s3": s3, "s3control": s3control}, OUTPUTS, out=lines.append,
                              sleep=lambda _s: None)  # fmt: skip
    assert code == 1
    assert lines[-2:] == ["job job-1 Complete: 0 task(s) succeeded, 1 failed of 1",
                          "completion report: s3://acme-lake-artifacts/replay/reports/job-job-1/"]  # fmt: skip


def test_dry_run_prints_size_and_cost_and_creates_nothing():
    s3, s3control, lam = client("s3"), client("s3control"), client("lambda")
    with Stubber(s3) as s3_stub, Stubber(s3control), Stubber(lam) as lam_stub:
        stub_listing(s3_stub, [version(KEYS[0], "v1", size=5_000_000), version(KEYS[1], "v2", size=5_000_000)])
        lam_stub.add_response("get_function_configuration", {"MemorySize": 1024},
                              {"FunctionName": TARGET.function_arn})  # fmt: skip
        lines: list[str] = []
        code = run_replay_aws(args(dry_run=True), {"s3": s3, "s3control": s3control, "lambda": lam}, OUTPUTS,
                              out=lines.append)  # fmt: skip
        s3_stub.assert_no_pending_responses()  # no put_object, and no create_job was stubbed
    assert code == 0
    assert lines[1].startswith("manifest: 2 object version(s), 10.0 MB of raw data, ")
    expected = br.estimate([RawVersion("k", "v", 5_000_000, "e", True)] * 2, b"", 1024)
    assert f"Lambda ${expected.lambda_usd:.4f} + Batch Operations $0.2500" in lines[2]


def _inventory_config(versions="All"):
    return {"Id": "daily", "IsEnabled": True, "IncludedObjectVersions": versions,
            "Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::acme-inventory", "Format": "CSV",
                                                    "Prefix": "inv"}},
            "Schedule": {"Frequency": "Daily"}}  # fmt: skip


def test_inventory_report_is_the_source_when_one_is_configured():
    rows = [
        ["acme-lake-raw", "incoming/users/2024/05/01/a+b%2Bc.json", "v1", "true", "false", "10"],
        ["acme-lake-raw", "incoming/users/2024/05/01/a+b%2Bc.json", "v0", "false", "false", "9"],
        ["acme-lake-raw", "incoming/users/2024/05/01/gone.json", "v9", "true", "true", ""],
        ["acme-lake-raw", "incoming/tweets/2024/05/01/t.json", "v5", "true", "false", "3"],
    ]
    body = io.StringIO()
    csv.writer(body).writerows(rows)
    data = gzip.compress(body.getvalue().encode())
    manifest = {"fileFormat": "CSV", "fileSchema": "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size",
                "files": [{"key": "inv/acme-lake-raw/daily/data/part-0.csv.gz"}]}  # fmt: skip
    s3 = client("s3")
    with Stubber(s3) as stub:
        stub.add_response("list_bucket_inventory_configurations",
                          {"InventoryConfigurationList": [_inventory_config()]}, {"Bucket": "acme-lake-raw"})  # fmt: skip
        stub.add_response("list_objects_v2", {"Contents": [
            {"Key": "inv/acme-lake-raw/daily/2024-05-01T01-00Z/manifest.json"},
            {"Key": "inv/acme-lake-raw/daily/2024-05-03T01-00Z/manifest.json"},
            {"Key": "inv/acme-lake-raw/daily/2024-05-03T01-00Z/manifest.checksum"}], "IsTruncated": False},
            {"Bucket": "acme-inventory", "Prefix": "inv/acme-lake-raw/daily/"})  # fmt: skip
        stub.add_response("get_object", {"Body": io.BytesIO(json.dumps(manifest).encode())},
                          {"Bucket": "acme-inventory", "Key": "inv/acme-lake-raw/daily/2024-05-03T01-00Z/manifest.json"})  # fmt: skip
        stub.add_response("get_object", {"Body": io.BytesIO(data)},
                          {"Bucket": "acme-inventory", "Key": "inv/acme-lake-raw/daily/data/part-0.csv.gz"})  # fmt: skip
        plan = br.plan_replay(s3, TARGET, "users", all_versions=True)
        stub.assert_no_pending_responses()
    assert plan.source == "S3 Inventory s3://acme-inventory/inv/acme-lake-raw/daily/2024-05-03T01-00Z/manifest.json"
    assert [(v.key, v.version_id) for v in plan.versions] == [
        ("incoming/users/2024/05/01/a b+c.json", "v0"),
        ("incoming/users/2024/05/01/a b+c.json", "v1"),
    ]


def test_all_versions_from_a_current_only_inventory_is_refused():
    s3 = client("s3")
    with Stubber(s3) as stub:
        stub.add_response("list_bucket_inventory_configurations",
                          {"InventoryConfigurationList": [_inventory_config("Current")]})  # fmt: skip
        stub.add_response("list_objects_v2", {"Contents": [{"Key": "inv/acme-lake-raw/daily/x/manifest.json"}]})
        with pytest.raises(br.BatchReplayError, match="lists current versions only: --all-versions needs"):
            br.plan_replay(s3, TARGET, "users", all_versions=True)


def test_nothing_to_replay_and_missing_outputs_are_one_line_errors():
    s3 = client("s3")
    with Stubber(s3) as stub:
        stub_listing(stub, [version(KEYS[0], "v1")])
        with pytest.raises(br.BatchReplayError, match="no raw object of 'users' matches"):
            br.plan_replay(s3, TARGET, "users", since=date(2030, 1, 1))
    with pytest.raises(br.BatchReplayError, match="outputs have no replay: apply the lake first"):
        br.ReplayTarget.from_outputs({k: v for k, v in OUTPUTS.items() if k != "replay"}, "users")
    with pytest.raises(br.BatchReplayError, match="dataset 'orders' has no function"):
        br.ReplayTarget.from_outputs(OUTPUTS, "orders")


# --------------------------------------------------------------------------- the local endpoint


@pytest.mark.parametrize("how", ["flag", "env"])
def test_replay_aws_against_the_local_endpoint_stops_with_one_line(how, monkeypatch, capsys):
    argv = ["replay", "users", "--aws"]
    if how == "flag":
        argv += ["--endpoint", "http://127.0.0.1:5000"]
    else:
        monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("lake: error: the local endpoint has no S3 Batch Operations")
