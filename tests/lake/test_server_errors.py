"""What a failed local apply adds to its message (the 5xx answers, tracebacks and conflicts of the moto server's
log), and the one failure it recovers from: a function a retried create left out of the state."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from lake.deploy import LocalLake, conflicting_function, tracked_functions, with_server_errors
from lake.local_aws import LocalAWS, server_errors
from lake.terraform import TerraformError

LOG = """\
\x1b[31m\x1b[1mWARNING: This is a development server. Do not use it in a production deployment.\x1b[0m
 * Running on http://127.0.0.1:49195
127.0.0.1 - - [02/Dec/2026 14:21:41] "HEAD /moto-api/ HTTP/1.1" 200 -
127.0.0.1 - - [02/Dec/2026 14:21:43] "\x1b[33mGET /2015-03-31/functions/nope HTTP/1.1\x1b[0m" 404 -
Error on request:
Traceback (most recent call last):
  File "/x/werkzeug/serving.py", line 370, in run_wsgi
    execute(self.server.app)
  File "/x/moto/awslambda/models.py", line 99, in create_function
    raise KeyError("Layers")
KeyError: 'Layers'
127.0.0.1 - - [02/Dec/2026 14:21:44] "\x1b[35m\x1b[1mPOST /2015-03-31/functions HTTP/1.1\x1b[0m" 500 -
127.0.0.1 - - [02/Dec/2026 14:21:45] "\x1b[33mPOST /2015-03-31/functions HTTP/1.1\x1b[0m" 409 -
127.0.0.1 - - [02/Dec/2026 14:21:46] "GET /2015-03-31/functions/f HTTP/1.1" 503 -
"""


def test_the_5xx_answers_each_tracebacks_exception_and_each_conflict_in_order_without_colour_codes():
    assert server_errors(LOG) == [
        "server traceback: KeyError: 'Layers'",
        "POST /2015-03-31/functions -> 500",
        "POST /2015-03-31/functions -> 409 at 14:21:45 (before it at 14:21:44: -> 500)",
        "GET /2015-03-31/functions/f -> 503",
    ]


def test_a_conflict_says_what_the_server_answered_the_same_request_before():
    retried = (
        '127.0.0.1 - - [04/Dec/2026 16:30:01] "POST /2015-03-31/functions HTTP/1.1" 201 -\n'
        '127.0.0.1 - - [04/Dec/2026 16:30:02] "GET /2015-03-31/functions/a HTTP/1.1" 200 -\n'
        '127.0.0.1 - - [04/Dec/2026 16:30:09] "\x1b[33mPOST /2015-03-31/functions HTTP/1.1\x1b[0m" 409 -\n'
        '127.0.0.1 - - [04/Dec/2026 16:30:10] "PUT /b/k HTTP/1.1" 409 -\n'
    )
    assert server_errors(retried) == [
        "POST /2015-03-31/functions -> 409 at 16:30:09 (before it at 16:30:01: -> 201)",
        "PUT /b/k -> 409 at 16:30:10 (no answer to it before)",
    ]


def test_only_the_last_ones_are_kept():
    assert server_errors(LOG, limit=1) == ["GET /2015-03-31/functions/f -> 503"]


def test_a_clean_log_has_none():
    clean = "\n".join(line for line in LOG.splitlines()[:4])
    assert server_errors(clean) == []


def test_the_message_is_unchanged_without_server_errors_and_followed_by_them_otherwise():
    message = "terraform apply failed in infra/envs/local/ingestion (exit 1):\n  Error: creating Lambda Function"
    assert with_server_errors(message, []) == message
    assert with_server_errors(message, ["POST /2015-03-31/functions -> 500"]) == (
        message + "\n  the local AWS server (moto) logged:\n    POST /2015-03-31/functions -> 500"
    )


def test_a_running_server_reports_its_own_500_and_traceback_and_nothing_for_good_requests():
    with LocalAWS.start() as aws:
        aws.client("s3").list_buckets()
        assert aws.server_errors() == []
        request = urllib.request.Request(f"{aws.endpoint}/moto-api/seed?a=notanint", data=b"", method="POST")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=10)
        deadline = time.monotonic() + 5
        while len(aws.server_errors()) < 2 and time.monotonic() < deadline:  # the log is written as it goes
            time.sleep(0.05)
        assert sorted(aws.server_errors()) == [
            "POST /moto-api/seed?a=notanint -> 500",
            "server traceback: ValueError: invalid literal for int() with base 10: 'notanint'",
        ]
    assert aws.server_errors() == []  # stopped: its log is gone


def test_an_attached_endpoint_has_no_log_to_read():
    assert LocalAWS(endpoint="http://127.0.0.1:1").server_errors() == []


CONFLICT = (
    "terraform apply failed in infra/envs/local/ingestion (exit 1):\n"
    "  Error: creating Lambda Function (lake-local-etl-tweets): operation error Lambda: CreateFunction, https response"
    " error StatusCode: 409, RequestID: x, ResourceConflictException: Function already exist: lake-local-etl-tweets"
)


def test_the_function_a_failed_apply_found_existing_is_named_unless_its_state_holds_it():
    assert conflicting_function(CONFLICT, set()) == "lake-local-etl-tweets"
    assert conflicting_function(CONFLICT, {"lake-local-etl-tweets"}) is None  # Terraform manages it
    assert conflicting_function("Error: creating S3 Bucket: BucketAlreadyExists", set()) is None


def test_the_functions_in_a_state_file_are_found_by_name():
    state = {
        "resources": [
            {"type": "aws_lambda_function", "instances": [{"attributes": {"function_name": "a"}}, {"attributes": {"function_name": "b"}}]},
            {"type": "aws_s3_bucket", "instances": [{"attributes": {"bucket": "c"}}]},
        ]
    }  # fmt: skip
    assert tracked_functions(state) == {"a", "b"}
    assert tracked_functions({}) == set()


@pytest.fixture
def local_lake(tmp_path):
    """A LocalLake of infra/envs/local on a fresh endpoint (stub artifacts), with a role for functions."""
    zips = []
    for name in ("handler.zip", "layer.zip"):
        (tmp_path / name).write_bytes(b"PK\x05\x06" + b"\0" * 18)
        zips.append(tmp_path / name)
    with LocalAWS.start() as aws:
        role = aws.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        create = {"FunctionName": "lake-local-etl-tweets", "Role": role, "Runtime": "python3.12",
                  "Handler": "h.h", "Code": {"ZipFile": zips[0].read_bytes()}}  # fmt: skip
        yield LocalLake(aws, tmp_path / "work", *zips), aws.client("lambda"), create


def test_a_function_a_retried_create_left_behind_is_deleted_and_the_layer_applied_again(
    local_lake, monkeypatch, capsys
):
    lake, lam, create = local_lake
    seen = []

    def apply(*, variables, parallelism):
        seen.append([f["FunctionName"] for f in lam.list_functions()["Functions"]])
        if len(seen) == 1:
            lam.create_function(**create)  # the attempt whose answer the provider never got
            with pytest.raises(lam.exceptions.ResourceConflictException):
                lam.create_function(**create)  # its retry
            raise TerraformError(CONFLICT)

    monkeypatch.setattr(lake.terraforms["ingestion"], "apply", apply)
    monkeypatch.setattr(lake.terraforms["ingestion"], "output", dict)
    lake.apply(["ingestion"])
    assert seen == [[], []]  # applied again once, the function gone
    assert "was created by this apply but is not in its state" in capsys.readouterr().err


def test_a_function_that_existed_before_the_apply_is_left_alone_and_the_apply_fails(local_lake, monkeypatch):
    lake, lam, create = local_lake
    lam.create_function(**create)  # not this apply's: made before it began
    time.sleep(1.5)
    calls = []

    def apply(*, variables, parallelism):
        calls.append(1)
        raise TerraformError(CONFLICT)

    monkeypatch.setattr(lake.terraforms["ingestion"], "apply", apply)
    with pytest.raises(TerraformError, match="Function already exist"):
        lake.apply(["ingestion"])
    assert calls == [1] and lam.get_function(FunctionName="lake-local-etl-tweets")
