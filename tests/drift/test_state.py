import json

import pytest

from drift.state import StateError, instance_address, load_states, parse_s3_url, parse_state


def _doc(*resources):
    return {"version": 4, "resources": list(resources)}


def test_addresses_follow_terraform_notation():
    assert instance_address({"type": "aws_s3_bucket", "name": "raw", "mode": "managed"}) == "aws_s3_bucket.raw"
    assert (
        instance_address(
            {"module": "module.glue", "type": "aws_glue_crawler", "name": "this", "mode": "managed"}, "tweets_v1"
        )
        == 'module.glue.aws_glue_crawler.this["tweets_v1"]'
    )
    assert instance_address({"type": "aws_sqs_queue", "name": "q", "mode": "managed"}, 0) == "aws_sqs_queue.q[0]"


def test_parse_state_keeps_managed_instances_only():
    doc = _doc(
        {"mode": "data", "type": "aws_caller_identity", "name": "me", "instances": [{"attributes": {"id": "1"}}]},
        {
            "mode": "managed",
            "type": "aws_s3_bucket",
            "name": "b",
            "instances": [{"index_key": "raw", "attributes": {"id": "x-raw"}}],
        },
    )
    [resource] = parse_state(doc, "s.tfstate")
    assert resource.address == 'aws_s3_bucket.b["raw"]' and resource.id == "x-raw" and resource.index_key == "raw"


@pytest.mark.parametrize(
    ("doc", "message"),
    [({"foo": 1}, "not a Terraform state"), ({"version": 3, "resources": []}, "version 3")],
)
def test_bad_state_names_the_file(doc, message):
    with pytest.raises(StateError, match=message) as err:
        parse_state(doc, "bad.tfstate")
    assert "bad.tfstate" in str(err.value)


def test_missing_and_non_json_files(tmp_path):
    with pytest.raises(StateError, match="no such state file"):
        load_states([str(tmp_path / "nope.tfstate")])
    broken = tmp_path / "broken.tfstate"
    broken.write_text("{not json")
    with pytest.raises(StateError, match=r"broken\.tfstate: not JSON"):
        load_states([str(broken)])


def test_several_states_and_a_resource_managed_twice(tmp_path):
    one, two = tmp_path / "a.tfstate", tmp_path / "b.tfstate"
    bucket = {"mode": "managed", "type": "aws_s3_bucket", "name": "b", "instances": [{"attributes": {"id": "x"}}]}
    queue = {"mode": "managed", "type": "aws_sqs_queue", "name": "q", "instances": [{"attributes": {"id": "u"}}]}
    one.write_text(json.dumps(_doc(bucket)))
    two.write_text(json.dumps(_doc(queue)))
    assert [r.type for r in load_states([str(one), str(two)])] == ["aws_s3_bucket", "aws_sqs_queue"]
    two.write_text(json.dumps(_doc(bucket)))
    with pytest.raises(StateError, match="managed by two states"):
        load_states([str(one), str(two)])


def test_s3_urls():
    assert parse_s3_url("s3://tf-state/lake/terraform.tfstate") == ("tf-state", "lake/terraform.tfstate")
    with pytest.raises(StateError):
        parse_s3_url("s3://bucket-only")


def test_name_prefix_is_inferred_from_the_bucket_names():
    from drift.check import infer_name_prefix
    from drift.model import ManagedResource

    def bucket(name):
        return ManagedResource(f"aws_s3_bucket.{name}", "aws_s3_bucket", {"id": name, "bucket": name})

    names = ["lake-local-raw", "lake-local-curated", "lake-local-quarantine", "lake-local-athena-results"]
    assert infer_name_prefix([bucket(n) for n in names]) == "lake-local"
    assert infer_name_prefix([bucket("lake-prod-raw")]) == "lake-prod"
    assert infer_name_prefix([bucket("alpha"), bucket("beta")]) is None
    assert infer_name_prefix([]) is None
