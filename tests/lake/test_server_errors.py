"""What a failed local apply adds to its message: the 5xx answers and tracebacks of the moto server's log."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from lake.deploy import with_server_errors
from lake.local_aws import LocalAWS, server_errors

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


def test_the_5xx_answers_and_each_tracebacks_exception_in_order_without_colour_codes():
    assert server_errors(LOG) == [
        "server traceback: KeyError: 'Layers'",
        "POST /2015-03-31/functions -> 500",
        "GET /2015-03-31/functions/f -> 503",
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
