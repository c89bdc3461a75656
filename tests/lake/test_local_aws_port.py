"""A started local endpoint is the server this process started, never another one that holds the port."""

from __future__ import annotations

import pytest

import lake.local_aws as local_aws
from lake.local_aws import LocalAWS, LocalAWSError, port_taken, serving

WERKZEUG_TAKEN = (
    "Address already in use\nPort 5000 is in use by another program. Either identify and stop that program, or start "
    "the server with a different port.\n"
)


def test_a_log_that_says_the_port_is_taken_is_told_from_other_failures():
    assert port_taken(WERKZEUG_TAKEN)
    assert not port_taken("Traceback (most recent call last):\nImportError: no moto\n")


def test_only_the_servers_own_running_line_for_this_endpoint_counts(tmp_path):
    log = tmp_path / "moto.log"
    assert not serving(str(tmp_path / "missing.log"), "http://127.0.0.1:5000")
    log.write_text(" * Running on http://127.0.0.1:50001\n")
    assert serving(str(log), "http://127.0.0.1:50001")
    assert not serving(str(log), "http://127.0.0.1:5000")
    log.write_text(" * Running on \x1b[1mhttp://127.0.0.1:5000\x1b[0m\n")  # a coloured log
    assert serving(str(log), "http://127.0.0.1:5000")


@pytest.fixture(scope="module")
def other():
    """Another process's server, holding its port (a parallel test worker's, or a `lake up` left running)."""
    with LocalAWS.start() as aws:
        aws.client("s3").create_bucket(Bucket="the-other-servers-bucket")
        yield aws


def _port(aws: LocalAWS) -> int:
    return int(aws.endpoint.rsplit(":", 1)[1])


def test_a_looked_up_port_taken_before_moto_binds_it_is_replaced_by_another(other, monkeypatch):
    ports = iter([_port(other)])
    real_free_port = local_aws.free_port
    monkeypatch.setattr(local_aws, "free_port", lambda host: next(ports, None) or real_free_port(host))
    with LocalAWS.start() as mine:
        assert mine.endpoint != other.endpoint
        assert mine.client("s3").list_buckets()["Buckets"] == []  # not the other server's state


def test_a_given_port_that_is_taken_is_an_error_not_the_other_server(other):
    with pytest.raises(LocalAWSError, match=rf"could not bind 127\.0\.0\.1: port {_port(other)} taken"):
        LocalAWS.start(port=_port(other))
    assert [b["Name"] for b in other.client("s3").list_buckets()["Buckets"]] == ["the-other-servers-bucket"]
