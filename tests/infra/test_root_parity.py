"""``infra/envs/local`` and ``infra/envs/aws`` must not drift apart: both wire the same modules with the same inputs
and produce the same resource addresses. What differs on purpose is named here, and nothing else may differ."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from lake.workspace import resolve
from policies.loaders.hcl import load_hcl

CHECKOUT = resolve(Path(__file__).parent)
LOCAL, AWS = CHECKOUT.local_env, CHECKOUT.aws_env

# Module inputs only one root passes, and why.
LOCAL_ONLY_INPUTS = {"contracts_dir"}  # tests point the local lake at a copy of contracts/
AWS_ONLY_INPUTS = {
    "layer_arn",  # a real account may reuse a published pyarrow layer
    "analyst_principal_arns",  # who may assume the analyst role (local: the account root)
    "ci_principal_arns",  # the CI role that assumes drift-reader
    "state_bucket_name",  # drift-reader reads the S3 backend object
    "state_key",
    "alarm_subscriptions",  # who the alarms page (local: nobody; the topic and alarms exist without subscribers)
}
# Inputs both pass, with values that differ on purpose.
DIFFERENT_VALUES = {
    "log_retention_days",  # local: 7, throw-away; aws: a variable, 90 days by default
    "force_destroy",  # local: true (tests destroy full buckets); aws: false, data is never destroyed by Terraform
}
# Root variables only one root declares.
LOCAL_ONLY_VARIABLES = {"aws_endpoint", "contracts_dir"}
AWS_ONLY_VARIABLES = {
    "allowed_account_ids",
    "environment",
    "layer_arn",
    "analyst_principal_arns",
    "ci_principal_arns",
    "state_bucket_name",
    "state_key",
    "log_retention_days",
    "alarm_subscriptions",
}
COMMON = {"name_prefix": "lake-parity", "datasets": {"users": {"versions": [1]}, "tweets": {"versions": [1]}}}


def blocks(root: Path, kind: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in sorted(root.glob("*.tf")):
        with path.open() as fh:
            for block in hcl2.load(fh).get(kind, []):
                for quoted, spec in block.items():
                    name = quoted.strip('"')
                    assert name not in out, f"{root.name}: {kind} {name} declared twice"
                    out[name] = spec
    return out


def test_both_roots_call_the_same_modules_with_the_same_inputs():
    local, aws = blocks(LOCAL, "module"), blocks(AWS, "module")
    assert local.keys() == aws.keys() == {"lake"}
    for name in local:
        assert local[name]["source"] == aws[name]["source"]
        local_inputs = set(local[name]) - {"source"}
        aws_inputs = set(aws[name]) - {"source"}
        assert local_inputs - aws_inputs == LOCAL_ONLY_INPUTS
        assert aws_inputs - local_inputs == AWS_ONLY_INPUTS
        differing = {k for k in local_inputs & aws_inputs if local[name][k] != aws[name][k]}
        assert differing == DIFFERENT_VALUES


def test_both_roots_declare_the_same_variables_outputs_and_no_resources_of_their_own():
    local, aws = blocks(LOCAL, "variable"), blocks(AWS, "variable")
    assert set(local) - set(aws) == LOCAL_ONLY_VARIABLES
    assert set(aws) - set(local) == AWS_ONLY_VARIABLES
    for name in set(local) & set(aws):
        assert local[name]["type"] == aws[name]["type"], f"variable {name}: types differ"
    assert blocks(LOCAL, "output") == blocks(AWS, "output")
    assert blocks(LOCAL, "resource") == blocks(AWS, "resource") == {}


@pytest.mark.parametrize("state_bucket", [None, "tfstate-lake-parity"])
def test_both_roots_produce_the_same_resource_addresses(state_bucket):
    local = load_hcl(LOCAL, {**COMMON, "aws_endpoint": "http://127.0.0.1:5000"})
    aws_vars = {**COMMON, "aws_region": "eu-west-1", "allowed_account_ids": ["111122223333"]}
    aws = load_hcl(AWS, {**aws_vars, "state_bucket_name": state_bucket})
    local_addresses = {r.address for r in local.resources}
    aws_addresses = {r.address for r in aws.resources}
    assert local_addresses, "the local root produced no resources"
    assert local_addresses == aws_addresses
    assert local.settings.get("undecidable", []) == aws.settings.get("undecidable", []) == []
