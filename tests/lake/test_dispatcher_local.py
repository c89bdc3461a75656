"""The dispatcher against a real moto endpoint: filters read back from S3 decide what runs, as in AWS."""

import io
import json
import sys
import textwrap
import zipfile

import pytest

from lake.dispatcher import ASYNC_RETRIES, DispatchError, LocalDispatcher
from lake.local_aws import LocalAWS


@pytest.fixture(scope="module")
def aws():
    with LocalAWS.start() as aws:
        yield aws


@pytest.fixture
def recorder(tmp_path, monkeypatch):
    """A handler module on sys.path that records what it is called with (or fails when told to)."""
    (tmp_path / "recorder_mod.py").write_text(
        textwrap.dedent("""
        import os
        CALLS = []
        def handle(event, context):
            CALLS.append((event, os.environ.get("DATASET"), context.function_name))
            if os.environ.get("FAIL") == "1":
                raise RuntimeError("boom")
            return {"records_in": 1, "written": 1, "quarantined": 0}
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("recorder_mod", None)
    import recorder_mod

    yield recorder_mod
    sys.modules.pop("recorder_mod", None)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("recorder_mod.py", "def handle(e, c):\n    return None\n")
    return buf.getvalue()


def _setup(aws, name: str, prefix: str, env: dict, handler: str = "recorder_mod.handle"):
    """A bucket named after the function, notifying it for ``prefix``*.json; returns the failure queue URL."""
    s3, lam, iam, sqs = (aws.client(s) for s in ("s3", "lambda", "iam", "sqs"))
    bucket = f"{name}-raw"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
        ],
    }
    role = iam.create_role(RoleName=f"r-{name}", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    fn = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler=handler,
        Code={"ZipFile": _zip()},
        Environment={"Variables": env},
    )["FunctionArn"]
    queue = sqs.create_queue(QueueName=f"{name}-failures")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnFailure": {"Destination": qarn}})
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": fn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {
                            "FilterRules": [{"Name": "prefix", "Value": prefix}, {"Name": "suffix", "Value": ".json"}]
                        }
                    },
                }
            ]
        },
    )
    return queue


def test_matching_upload_is_delivered_with_the_function_environment(aws, recorder):
    _setup(aws, "etl-ok", "incoming/users/", {"DATASET": "users"})
    bucket = "etl-ok-raw"
    aws.client("s3").put_object(Bucket=bucket, Key="incoming/users/2024/01/01/a b+c.json", Body=b"{}")
    results = LocalDispatcher(aws, bucket).poll_once()
    assert [(r.function, r.ok) for r in results] == [("etl-ok", True)]
    event, dataset, fn = recorder.CALLS[-1]
    assert (dataset, fn) == ("users", "etl-ok")
    assert event["Records"][0]["s3"]["object"]["key"] == "incoming/users/2024/01/01/a+b%2Bc.json"
    assert event["Records"][0]["s3"]["object"]["versionId"]


def test_wrong_filter_means_nothing_runs_and_it_is_said(aws, recorder):
    _setup(aws, "etl-wrong", "incoming/user/", {"DATASET": "users"})  # typo: user/ not users/
    bucket = "etl-wrong-raw"
    aws.client("s3").put_object(Bucket=bucket, Key="incoming/users/2024/01/02/x.json", Body=b"{}")
    said = []
    results = LocalDispatcher(aws, bucket, log=said.append).poll_once()
    assert results == [] and recorder.CALLS == []
    assert said == [
        f"no notification matches s3://{bucket}/incoming/users/2024/01/02/x.json: not processed (check the filters)"
    ]


def test_failure_is_retried_then_kept_in_the_failure_queue(aws, recorder):
    queue = _setup(aws, "etl-fail", "incoming/fail/", {"DATASET": "fail", "FAIL": "1"})
    bucket = "etl-fail-raw"
    aws.client("s3").put_object(Bucket=bucket, Key="incoming/fail/x.json", Body=b"{}")
    (result,) = LocalDispatcher(aws, bucket).poll_once()
    assert not result.ok and result.attempts == ASYNC_RETRIES + 1 and "boom" in result.error
    assert len(recorder.CALLS) == ASYNC_RETRIES + 1
    (msg,) = aws.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    record = json.loads(msg["Body"])
    assert record["requestPayload"]["Records"][0]["s3"]["object"]["key"] == "incoming/fail/x.json"
    assert record["requestContext"]["condition"] == "RetriesExhausted"


def test_duplicate_mode_delivers_twice(aws, recorder):
    _setup(aws, "etl-dup", "incoming/dup/", {"DATASET": "dup"})
    bucket = "etl-dup-raw"
    aws.client("s3").put_object(Bucket=bucket, Key="incoming/dup/x.json", Body=b"{}")
    results = LocalDispatcher(aws, bucket, duplicate=True).poll_once()
    assert [r.function for r in results] == ["etl-dup", "etl-dup"]
    assert recorder.CALLS[0][0] == recorder.CALLS[1][0]


def test_unresolvable_handler_is_a_clear_error(aws, recorder):
    _setup(aws, "etl-badhandler", "incoming/bad/", {}, handler="recorder_mod.nope")
    bucket = "etl-badhandler-raw"
    aws.client("s3").put_object(Bucket=bucket, Key="incoming/bad/x.json", Body=b"{}")
    with pytest.raises(DispatchError, match=r"Runtime\.HandlerNotFound"):
        LocalDispatcher(aws, bucket).poll_once()
