"""The scan's error handling (stub adapters, no AWS) and `lake drift` end to end on a hand-written state
against the shared moto server (no Terraform)."""

import json
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from drift.adapters.base import Adapter
from drift.aws import AWSOptions, LiveAWS
from drift.model import Kind, ManagedResource
from drift.scan import scan
from lake.cli import main


class Denied(Adapter):
    type = "aws_denied"
    api = "x:Get"

    def read(self, aws, resource):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "Get")


class Throttled(Adapter):
    type = "aws_throttled"
    api = "x:Get"

    def read(self, aws, resource):
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Get")


class Gone(Adapter):
    type = "aws_gone"

    def read(self, aws, resource):
        return None


def test_denied_throttled_and_unadapted_resources_are_unknown_not_crashes():
    live = LiveAWS(
        AWSOptions(region="us-east-1"), session=boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y")
    )
    stubs = {"aws_denied": Denied(), "aws_throttled": Throttled(), "aws_gone": Gone()}
    resources = [
        ManagedResource(f"{t}.r", t, {"id": t}) for t in ("aws_denied", "aws_throttled", "aws_gone", "aws_nothing")
    ]
    result = scan(resources, live, progress=False, lookup=stubs.get)
    kinds = {f.address: (f.kind, f.message) for f in result.findings}
    assert kinds["aws_denied.r"][0] is Kind.UNKNOWN and "denied" in kinds["aws_denied.r"][1]
    assert kinds["aws_throttled.r"][0] is Kind.UNKNOWN and "throttled" in kinds["aws_throttled.r"][1]
    assert kinds["aws_nothing.r"][0] is Kind.UNKNOWN and "no adapter" in kinds["aws_nothing.r"][1]
    assert kinds["aws_gone.r"][0] is Kind.DELETED
    assert result.checked == 1 and result.coverage == 0.25


@pytest.fixture
def bucket_state(local_aws, tmp_path):
    """A versioned bucket made through boto3 and a hand-written state that manages it."""
    name = f"cli-{uuid.uuid4().hex[:10]}"
    s3 = local_aws.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})

    def res(kind, attributes):
        return {
            "mode": "managed",
            "type": kind,
            "name": "b",
            "instances": [{"attributes": {"id": name, "bucket": name, **attributes}}],
        }

    doc = {
        "version": 4,
        "resources": [
            res("aws_s3_bucket", {}),
            res("aws_s3_bucket_versioning", {"versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}]}),
        ],
    }
    path = tmp_path / "terraform.tfstate"
    path.write_text(json.dumps(doc))
    yield name, path


def _drift(local_aws, *args):
    return main(["drift", *map(str, args), "--endpoint-url", local_aws.endpoint, "--region", local_aws.region])


def test_cli_clean_then_drift_with_every_report(local_aws, bucket_state, tmp_path, monkeypatch, capsys):
    for key, value in local_aws.environment().items():
        monkeypatch.setenv(key, value)
    name, state = bucket_state
    assert _drift(local_aws, state, "--quiet", "--name-prefix", name) == 0
    local_aws.client("s3").put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
    out = tmp_path / "out"
    reports = ("--json", out / "r.json", "--markdown", out / "r.md", "--html", out / "r.html")
    code = _drift(local_aws, state, "--name-prefix", name, *reports)
    assert code == 1
    doc = json.loads((out / "r.json").read_text())
    [finding] = doc["findings"]
    assert (finding["kind"], finding["address"], finding["changes"][0]["path"]) == (
        "changed",
        "aws_s3_bucket_versioning.b",
        "versioning_configuration[0].status",
    )
    assert "Suspended" in (out / "r.md").read_text() and "aws_s3_bucket_versioning.b" in (out / "r.html").read_text()
    assert "aws_s3_bucket_versioning.b" in capsys.readouterr().out

    ignore = tmp_path / "drift-ignore.toml"
    ignore.write_text('[[ignore]]\naddress = "aws_s3_bucket_versioning.b"\nreason = "test"\nexpires = 2999-01-01\n')
    assert _drift(local_aws, state, "--quiet", "--name-prefix", name, "--ignore-file", ignore) == 0


def test_cli_errors_are_one_line_and_exit_2(local_aws, tmp_path, monkeypatch, capsys):
    for key, value in local_aws.environment().items():
        monkeypatch.setenv(key, value)
    assert _drift(local_aws, tmp_path / "missing.tfstate") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lake: error: ") and "missing.tfstate: no such state file" in err and "\n" not in err
    bad = tmp_path / "bad.toml"
    bad.write_text('[[ignore]]\naddress = "x"\n')
    state = tmp_path / "empty.tfstate"
    state.write_text('{"version": 4, "resources": []}')
    assert _drift(local_aws, state, "--ignore-file", bad) == 2
    assert "'reason' is required" in capsys.readouterr().err


def test_state_from_the_s3_backend_object(local_aws, bucket_state, monkeypatch):
    for key, value in local_aws.environment().items():
        monkeypatch.setenv(key, value)
    name, state = bucket_state
    s3 = local_aws.client("s3")
    s3.create_bucket(Bucket=f"tfstate-{name}")
    s3.put_object(Bucket=f"tfstate-{name}", Key="lake/terraform.tfstate", Body=state.read_bytes())
    assert _drift(local_aws, f"s3://tfstate-{name}/lake/terraform.tfstate", "--quiet", "--name-prefix", name) == 0


def test_progress_bar_goes_to_stderr_never_stdout(capsys):
    live = LiveAWS(
        AWSOptions(region="us-east-1"), session=boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y")
    )
    resources = [ManagedResource(f"aws_gone.r{i}", "aws_gone", {"id": str(i)}) for i in range(3)]
    result = scan(resources, live, progress=True, lookup={"aws_gone": Gone()}.get)
    assert [f.kind for f in result.findings] == [Kind.DELETED] * 3
    assert capsys.readouterr().out == ""


def test_reads_can_run_under_an_assumed_role(local_aws, monkeypatch):
    from drift.aws import make_session

    for key, value in local_aws.environment().items():
        monkeypatch.setenv(key, value)
    options = AWSOptions(
        region=local_aws.region,
        endpoint_url=local_aws.endpoint,
        role_arn="arn:aws:iam::123456789012:role/lake-local-drift-reader",
    )
    session = make_session(options)
    credentials = session.get_credentials().get_frozen_credentials()
    assert credentials.token and credentials.access_key != "testing"
