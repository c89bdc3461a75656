"""`lake drift` over several layers' states against the shared moto server (hand-written states, no Terraform):
unmanaged discovery knows what every given state manages, a half-done migration is a conflict finding, and every
finding names its layer."""

import json
import uuid

import pytest

from drift.aws import AWSOptions, LiveAWS
from drift.check import CheckOptions, run_check
from drift.model import Kind, Severity
from lake.cli import main


def _state(*resources):
    return {"version": 4, "resources": list(resources)}


def _resource(module, kind, name, key, attributes):
    return {
        "mode": "managed",
        "module": module,
        "type": kind,
        "name": name,
        "instances": [{"index_key": key, "attributes": attributes} if key else {"attributes": attributes}],
    }


@pytest.fixture
def split_lake(local_aws, tmp_path):
    """A raw bucket (foundation's), a queue and the bucket's notification to it (ingestion's), made with boto3,
    and the two layers' states that manage them."""
    prefix = f"split-{uuid.uuid4().hex[:8]}"
    raw, queue_name = f"{prefix}-raw", f"{prefix}-failures"
    s3, sqs = local_aws.client("s3"), local_aws.client("sqs")
    s3.create_bucket(Bucket=raw)
    url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=raw,
        NotificationConfiguration={
            "QueueConfigurations": [{"Id": "etl", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    foundation = _state(
        _resource("module.foundation.module.s3", "aws_s3_bucket", "this", "raw", {"id": raw, "bucket": raw}),
    )
    ingestion = _state(
        _resource(
            "module.ingestion",
            "aws_s3_bucket_notification",
            "raw",
            None,
            {
                "id": raw,
                "bucket": raw,
                "queue": [{"id": "etl", "queue_arn": arn, "events": ["s3:ObjectCreated:*"]}],
            },
        ),
        _resource(
            "module.ingestion.module.lambda",
            "aws_sqs_queue",
            "failures",
            None,
            {"id": url, "url": url, "name": queue_name},
        ),
    )
    paths = {}
    for layer, doc in (("foundation", foundation), ("ingestion", ingestion)):
        paths[layer] = tmp_path / f"{layer}.tfstate"
        paths[layer].write_text(json.dumps(doc))
    return prefix, paths


def _check(local_aws, prefix, states):
    options = CheckOptions(
        states=[str(s) for s in states],
        aws=AWSOptions(endpoint_url=local_aws.endpoint, region=local_aws.region),
        name_prefix=prefix,
        progress=False,
        catalog_health=False,
    )
    return run_check(options, LiveAWS(options.aws, session=local_aws.session()), checker=lambda doc: [])


def _unmanaged(report):
    return {f.address: f for f in report.findings if f.kind is Kind.UNMANAGED}


def test_unmanaged_discovery_knows_what_every_state_manages(local_aws, split_lake):
    prefix, paths = split_lake
    raw = f"{prefix}-raw"
    both = _check(local_aws, prefix, [paths["foundation"], paths["ingestion"]])
    assert _unmanaged(both) == {}, [f.to_dict() for f in both.findings]
    assert {g.layer: g.resources for g in both.groups()} == {"foundation": 1, "ingestion": 2}

    # the same searches with one layer missing: each finds what only the other layer manages
    alone = _check(local_aws, prefix, [paths["foundation"]])
    found = _unmanaged(alone)
    notification = found[f"aws_s3_bucket_notification:{raw}/etl"]  # the bucket adapter's search on raw
    assert notification.parent == 'module.foundation.module.s3.aws_s3_bucket.this["raw"]'
    assert notification.layer == "foundation"  # its parent's layer
    assert f"aws_sqs_queue:{prefix}-failures" in found  # the queue adapter's <prefix>-* search
    alone = _check(local_aws, prefix, [paths["ingestion"]])
    assert list(_unmanaged(alone)) == [f"aws_s3_bucket:{raw}"]  # the bucket adapter's <prefix>-* search


def test_a_half_done_migration_is_one_critical_conflict(local_aws, split_lake, tmp_path):
    """The pre-split state still manages the raw bucket that foundation now manages: reported once as a conflict
    naming both states, read once, critical, exit 1."""
    prefix, paths = split_lake
    raw = f"{prefix}-raw"
    old = tmp_path / "terraform.tfstate"
    old.write_text(
        json.dumps(
            _state(_resource("module.lake.module.s3", "aws_s3_bucket", "this", "raw", {"id": raw, "bucket": raw}))
        )
    )
    report = _check(local_aws, prefix, [paths["foundation"], paths["ingestion"], old])
    [conflict] = [f for f in report.findings if f.kind is Kind.CONFLICT]
    assert conflict.address == 'module.foundation.module.s3.aws_s3_bucket.this["raw"]'
    assert conflict.layer == "foundation" and conflict.severity is Severity.CRITICAL
    assert str(paths["foundation"]) in conflict.message and str(old) in conflict.message
    assert "terraform state rm 'module.lake.module.s3.aws_s3_bucket.this[\"raw\"]'" in conflict.remedy
    assert report.resources == 3 and report.exit_code("critical") == 1
    others = [f for f in report.findings if f.kind is not Kind.CONFLICT]
    assert not [f for f in others if f.resource_id == raw or f.kind is Kind.UNMANAGED], [f.to_dict() for f in others]


def test_cli_reads_the_layers_under_one_prefix_and_fails_closed(local_aws, split_lake, tmp_path, monkeypatch, capsys):
    for key, value in local_aws.environment().items():
        monkeypatch.setenv(key, value)
    prefix, paths = split_lake
    s3 = local_aws.client("s3")
    state_bucket = f"tfstate-{prefix}"
    s3.create_bucket(Bucket=state_bucket)
    for layer, path in paths.items():
        s3.put_object(Bucket=state_bucket, Key=f"lake/{layer}.tfstate", Body=path.read_bytes())
    endpoint = ["--endpoint-url", local_aws.endpoint, "--region", local_aws.region, "--name-prefix", prefix]
    args = ["drift", "--state-prefix", f"s3://{state_bucket}/lake/", *endpoint, "--no-catalog-health"]

    # catalog and query are missing: the run fails (exit 2, one line), never a partial report that looks clean
    assert main([*args, "--json", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert f"s3://{state_bucket}/lake/catalog.tfstate: cannot read the state object" in err and "\n" not in err
    assert not (tmp_path / "r.json").exists()

    empty = json.dumps(_state()).encode()
    for layer in ("catalog", "query"):
        s3.put_object(Bucket=state_bucket, Key=f"lake/{layer}.tfstate", Body=empty)
    assert main([*args, "--json", str(tmp_path / "r.json"), "--quiet"]) in (0, 1)
    doc = json.loads((tmp_path / "r.json").read_text())
    assert [e["layer"] for e in doc["summary"]["layers"]] == ["foundation", "ingestion", "catalog", "query"]
    assert [e["resources"] for e in doc["summary"]["layers"]] == [1, 2, 0, 0]
    assert not [f for f in doc["findings"] if f["kind"] == "unmanaged"], doc["findings"]
    assert len(doc["sources"]) == 4
