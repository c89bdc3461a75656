"""Each normaliser removes one kind of false positive; each is tested with a pair that must and must not match."""

import json

from drift import normalise
from drift.diff import changes


def test_policy_document_is_order_string_list_and_whitespace_insensitive():
    a = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::b/*"}],
    }
    b = '{ "Statement": {"Resource": ["arn:aws:s3:::b/*"], "Action": ["s3:ListBucket", "s3:GetObject"], "Effect": "Allow"},\n "Version": "2012-10-17"}'
    assert normalise.policy_document(json.dumps(a)) == normalise.policy_document(b)


def test_policy_document_still_sees_a_real_difference():
    a = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    b = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    assert normalise.policy_document(json.dumps(a)) != normalise.policy_document(json.dumps(b))


def test_statement_order_and_principal_shape_do_not_matter():
    s1 = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    s2 = {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}
    s2_list = {**s2, "Principal": {"Service": ["glue.amazonaws.com"]}}
    left = {"Version": "2012-10-17", "Statement": [s1, s2]}
    right = {"Version": "2012-10-17", "Statement": [s2_list, s1]}
    assert normalise.policy_document(left) == normalise.policy_document(right)


def test_empty_values_are_equal():
    assert normalise.empty_as_none({"a": "", "b": [], "c": {}, "d": None, "e": 0}) == {"e": 0}
    assert normalise.empty_as_none([]) is None


def test_project_onto_keeps_only_what_live_has():
    state = {"arn": "x", "cfg": [{"a": 1, "computed": 2}], "tags": {}}
    live = {"cfg": [{"a": 1}]}
    assert normalise.project_onto(state, live) == {"cfg": [{"a": 1}]}


def test_tags_compared_with_tags_all_not_tags():
    state = {"tags": {"Name": "raw"}, "tags_all": {"Name": "raw", "Project": "lake"}}
    assert changes(state, {"tags_all": {"Name": "raw", "Project": "lake"}}) == []
    found = changes(state, {"tags_all": {"Name": "raw"}})
    assert [c.path for c in found] == ["tags_all.Project"]


def test_scalar_lists_are_sets():
    assert (
        changes(
            {"events": ["s3:ObjectCreated:Put", "s3:ObjectCreated:Post"]},
            {"events": ["s3:ObjectCreated:Post", "s3:ObjectCreated:Put"]},
        )
        == []
    )


def test_changes_report_path_state_and_live_value():
    state = {"versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}], "bucket": "b"}
    live = {"versioning_configuration": [{"status": "Suspended"}], "bucket": "b"}
    [change] = changes(state, live)
    assert (change.path, change.state, change.live) == ("versioning_configuration[0].status", "Enabled", "Suspended")


def test_policy_attribute_difference_is_reported_inside_the_document():
    state = {
        "policy": json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
        )
    }
    live = {
        "policy": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}],
            }
        )
    }
    found = changes(state, live, ("policy",))
    assert found and all(c.path.startswith("policy.Statement") for c in found)
    assert changes(state, {"policy": state["policy"].replace(" ", "")}, ("policy",)) == []


def test_numbers_of_int_and_float_type_compare_by_value():
    assert changes({"timeout": 30}, {"timeout": 30.0}) == []
    assert [c.path for c in changes({"retention_in_days": 14}, {"retention_in_days": 30})] == ["retention_in_days"]


def test_an_all_empty_block_is_no_block():
    state = {"destination_config": []}
    live = {"destination_config": [{"on_failure": [], "on_success": []}]}
    assert changes(state, live) == []


def test_every_differing_attribute_is_named_even_when_most_differ():
    found = changes({"a": 1, "b": None, "c": None}, {"a": 1, "b": 2, "c": 3})
    assert [c.path for c in found] == ["b", "c"]
