import json

import pytest

from drift.state import (
    StateError,
    StateSource,
    instance_address,
    load_states,
    parse_s3_url,
    parse_source,
    parse_state,
    prefix_sources,
)
from lake.layers import LAYERS


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


def _resource(address_module, kind, name, ident):
    return {
        "mode": "managed",
        **({"module": address_module} if address_module else {}),
        "type": kind,
        "name": name,
        "instances": [{"attributes": {"id": ident}}],
    }


def test_several_states_are_one_lake(tmp_path):
    one, two = tmp_path / "a.tfstate", tmp_path / "b.tfstate"
    one.write_text(json.dumps(_doc(_resource(None, "aws_s3_bucket", "b", "x"))))
    two.write_text(json.dumps(_doc(_resource(None, "aws_sqs_queue", "q", "u"))))
    lake = load_states([str(one), str(two)])
    assert [r.type for r in lake.resources] == ["aws_s3_bucket", "aws_sqs_queue"]
    assert lake.conflicts == [] and lake.layers == {str(one): "", str(two): ""}


def test_the_same_address_in_two_states_is_a_conflict_not_a_merge(tmp_path):
    one, two = tmp_path / "a.tfstate", tmp_path / "b.tfstate"
    bucket = _resource(None, "aws_s3_bucket", "b", "x")
    one.write_text(json.dumps(_doc(bucket)))
    two.write_text(json.dumps(_doc(bucket, _resource(None, "aws_sqs_queue", "q", "u"))))
    lake = load_states([str(one), str(two)])
    assert [r.address for r in lake.resources] == ["aws_s3_bucket.b", "aws_sqs_queue.q"]  # each object read once
    [conflict] = lake.conflicts
    assert conflict.same_address and (conflict.kept.source, conflict.other.source) == (str(one), str(two))


def test_a_half_done_migration_is_a_conflict(tmp_path):
    """The old single state still manages the raw bucket that the foundation state now manages too."""
    old, foundation = tmp_path / "terraform.tfstate", tmp_path / "foundation.tfstate"
    old.write_text(json.dumps(_doc(_resource("module.lake.module.s3", "aws_s3_bucket", "this", "lake-raw"))))
    foundation.write_text(
        json.dumps(_doc(_resource("module.foundation.module.s3", "aws_s3_bucket", "this", "lake-raw")))
    )
    lake = load_states([f"foundation={foundation}", str(old)])
    [conflict] = lake.conflicts
    assert conflict.kept.address.startswith("module.foundation.") and conflict.kept.layer == "foundation"
    assert conflict.other.address.startswith("module.lake.") and not conflict.same_address
    assert [r.address for r in lake.resources] == [conflict.kept.address]


def test_each_state_is_a_layer_named_or_inferred(tmp_path):
    paths = {}
    for layer in LAYERS:
        paths[layer] = tmp_path / f"{layer}.tfstate"
        paths[layer].write_text(json.dumps(_doc(_resource(f"module.{layer}.module.m", "aws_sqs_queue", "q", layer))))
    lake = load_states([str(paths["catalog"]), f"query={paths['query']}", *prefix_sources(f"{tmp_path}/")[:2]])
    assert lake.layers == {str(paths[k]): k for k in ("catalog", "query", "foundation", "ingestion")}
    assert {r.id: r.layer for r in lake.resources} == {k: k for k in LAYERS}


def test_layer_arguments_that_cannot_be_right_fail_the_run(tmp_path):
    catalog = tmp_path / "catalog.tfstate"
    catalog.write_text(json.dumps(_doc(_resource("module.catalog.module.glue", "aws_glue_crawler", "this", "c"))))
    with pytest.raises(StateError, match=r"given as layer foundation but it manages catalog resources"):
        load_states([f"foundation={catalog}"])
    copy = tmp_path / "catalog-copy.tfstate"
    copy.write_text(catalog.read_text())
    with pytest.raises(StateError, match="layer catalog given twice"):
        load_states([str(catalog), f"catalog={copy}"])
    with pytest.raises(StateError, match=r"unknown layer 'glue' \(the layers are foundation, ingestion"):
        parse_source(f"glue={catalog}")
    with pytest.raises(StateError, match=r"catalog\.tfstate: state given twice"):
        load_states([str(catalog), str(catalog)])
    with pytest.raises(StateError, match="no state given"):
        load_states([])


def test_one_unreadable_layer_fails_the_whole_run(tmp_path):
    for layer in LAYERS[:3]:
        (tmp_path / f"{layer}.tfstate").write_text(json.dumps(_doc()))
    with pytest.raises(StateError, match=r"query\.tfstate: no such state file"):
        load_states(prefix_sources(f"{tmp_path}/"))


def test_sources_and_prefixes():
    assert parse_source("s3://b/lake/ingestion.tfstate") == StateSource("s3://b/lake/ingestion.tfstate")
    assert parse_source("ingestion=s3://b/k.tfstate") == StateSource("s3://b/k.tfstate", "ingestion")
    assert parse_source("dir/a=b.tfstate") == StateSource("dir/a=b.tfstate")  # a path with '=' stays a path
    assert [s.location for s in prefix_sources("s3://tf/lake/")] == [f"s3://tf/lake/{x}.tfstate" for x in LAYERS]
    assert [s.layer for s in prefix_sources("s3://tf/lake/")] == list(LAYERS)
    with pytest.raises(StateError):
        prefix_sources("s3:///lake/")


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
