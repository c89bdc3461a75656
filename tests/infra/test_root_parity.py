"""``infra/envs/local`` and ``infra/envs/aws`` must not drift apart: each has the same four layer roots, each layer
root calls the same layer module with the same inputs, and both produce the same resource addresses. What differs on
purpose is named here, and nothing else may differ."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from lake.layers import LAYERS, layer_of
from lake.workspace import resolve
from policies.loaders.layers import load_env_hcl

CHECKOUT = resolve(Path(__file__).parent)
LOCAL, AWS = CHECKOUT.local_env, CHECKOUT.aws_env

# Module inputs only one root passes, and why.
LOCAL_ONLY_INPUTS = {"contracts_dir"}  # tests point the local lake at a copy of contracts/
AWS_ONLY_INPUTS = {
    "layer_arn",  # a real account may reuse a published pyarrow layer
    "analyst_principal_arns",  # who may assume the analyst role (local: the account root)
    "ci_principal_arns",  # the CI role that assumes drift-reader
    "state_bucket_name",  # drift-reader reads the S3 backend objects
    "state_keys",
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
    "state_key_prefix",
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


def test_each_environment_has_the_four_layer_roots_sharing_its_common_files():
    for env in (LOCAL, AWS):
        assert sorted(p.name for p in env.iterdir() if p.is_dir()) == sorted([*LAYERS, "common"])
        assert not list(env.glob("*.tf")), f"{env}: the environment is its layer roots, not a root itself"
        for layer in LAYERS:
            for shared in ("provider.tf", "variables.tf", "versions.tf"):
                link = env / layer / shared
                assert link.is_symlink() and link.resolve() == (env / "common" / shared).resolve(), link
            assert blocks(env / layer, "module").keys() == {layer}, f"{env.name}/{layer} calls one module, {layer}"


def test_both_environments_call_the_same_layer_modules_with_the_same_inputs():
    local_only, aws_only, differing = set(), set(), set()
    for layer in LAYERS:
        (local,), (aws,) = blocks(LOCAL / layer, "module").values(), blocks(AWS / layer, "module").values()
        assert local["source"] == aws["source"] == f'"../../../layers/{layer}"'
        local_inputs, aws_inputs = set(local) - {"source"}, set(aws) - {"source"}
        local_only |= local_inputs - aws_inputs
        aws_only |= aws_inputs - local_inputs
        differing |= {k for k in local_inputs & aws_inputs if local[k] != aws[k]}
    assert local_only == LOCAL_ONLY_INPUTS
    assert aws_only == AWS_ONLY_INPUTS
    assert differing == DIFFERENT_VALUES


def test_both_environments_declare_the_same_variables_outputs_and_no_resources_of_their_own():
    local, aws = blocks(LOCAL / "common", "variable"), blocks(AWS / "common", "variable")
    assert set(local) - set(aws) == LOCAL_ONLY_VARIABLES
    assert set(aws) - set(local) == AWS_ONLY_VARIABLES
    for name in set(local) & set(aws):
        assert local[name]["type"] == aws[name]["type"], f"variable {name}: types differ"
    names: set[str] = set()
    for layer in LAYERS:
        assert blocks(LOCAL / layer, "output") == blocks(AWS / layer, "output")
        outputs = set(blocks(LOCAL / layer, "output"))
        assert not outputs & names, f"{layer}: output names must be unique across layers (LocalLake merges them)"
        names |= outputs
        assert blocks(LOCAL / layer, "resource") == blocks(AWS / layer, "resource") == {}


@pytest.mark.parametrize("state_bucket", [None, "tfstate-lake-parity"])
def test_both_environments_produce_the_same_resource_addresses_each_in_its_layer(state_bucket):
    local = load_env_hcl(LOCAL, {**COMMON, "aws_endpoint": "http://127.0.0.1:5000"})
    aws_vars = {**COMMON, "aws_region": "eu-west-1", "allowed_account_ids": ["111122223333"]}
    aws = load_env_hcl(AWS, {**aws_vars, "state_bucket_name": state_bucket})
    local_addresses = {r.address for r in local.resources}
    aws_addresses = {r.address for r in aws.resources}
    assert local_addresses, "the local environment produced no resources"
    assert local_addresses == aws_addresses
    assert {layer_of(a) for a in local_addresses} == set(LAYERS)
    assert all(r.layer == layer_of(r.address) for r in local.resources)
    assert local.settings.get("undecidable", []) == aws.settings.get("undecidable", []) == []
