"""The drift check against the lake applied to moto: clean is clean, each ClickOps scenario is caught, and
``terraform plan -refresh-only`` agrees on every drift Terraform can see.

Scenarios mutate the shared deployment and revert in ``finally``; the last test proves the reverts were exact.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from deepdiff import DeepDiff
from drift_scenarios import SCENARIOS

from drift.aws import AWSOptions, LiveAWS
from drift.check import CheckOptions, run_check
from drift.model import Kind, Severity
from lake.layers import layer_of

pytestmark = pytest.mark.e2e
TYPE_LAYER = {"aws_s3_bucket": "foundation"}  # the layer of a parentless unmanaged object of a scenario


def check(lake):
    options = CheckOptions(
        states=[str(path) for path in lake.state_paths.values()],
        aws=AWSOptions(endpoint_url=lake.aws.endpoint, region=lake.aws.region),
        progress=False,
    )
    return run_check(options, LiveAWS(options.aws, session=lake.aws.session()))


def test_clean_deployment_has_no_findings(deployed_lake):
    report = check(deployed_lake)
    assert report.judged, report.judge_note
    assert [f.to_dict() for f in report.findings] == []
    assert report.coverage == 1.0 and report.exit_code() == 0
    assert report.resources >= 50
    # one report over the four layers' states, each layer read in full
    groups = report.groups()
    assert [g.layer for g in groups] == ["foundation", "ingestion", "catalog", "query"]
    assert all(g.resources and g.checked == g.resources and not g.findings for g in groups)
    assert sum(g.resources for g in groups) == report.resources


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_is_found(deployed_lake, scenario):
    revert = scenario.mutate(deployed_lake.aws, deployed_lake.outputs)
    try:
        report = check(deployed_lake)
    finally:
        revert()
    drift = [f for f in report.findings if f.kind is not Kind.UNKNOWN]
    assert [f.address for f in drift] == [scenario.address], [f.to_dict() for f in drift]
    [finding] = drift
    assert finding.kind.value == scenario.kind
    # its layer: the managed resource's, an unmanaged object's parent's, else the one layer managing its type
    assert finding.layer == (layer_of(scenario.parent or scenario.address) or TYPE_LAYER[finding.type]), finding.layer
    if scenario.attribute:
        assert finding.changes and all(c.path.startswith(scenario.attribute) for c in finding.changes), finding.changes
    if scenario.parent:
        assert finding.parent == scenario.parent
    assert (finding.severity is Severity.CRITICAL) == scenario.critical, finding.invariants
    assert finding.remedy and report.exit_code() == 1
    assert report.exit_code("critical") == (1 if scenario.critical else 0)


def test_reverts_left_the_deployment_clean(deployed_lake):
    assert [f.to_dict() for f in check(deployed_lake).findings] == []


# ---------------------------------------------------------------- oracle: terraform plan -refresh-only

ORACLE = [s for s in SCENARIOS if s.name != "crawler catalog target moved to another table"]  # one change per object
# attributes through which Terraform shows one change twice: the bucket's legacy inline copies of its
# sub-resources, and a role's computed view of its policies
ECHO_KEYS = {
    "aws_s3_bucket": {"versioning", "policy", "server_side_encryption_configuration", "lifecycle_rule", "grant", "acl"},
    "aws_iam_role": {"inline_policy", "managed_policy_arns"},
    "aws_lambda_function": {"last_modified", "version", "qualified_arn", "qualified_invoke_arn", "source_code_hash"},
}


# unmanaged objects the parent's own attributes record (Terraform shows the parent as changed); the others
# (a crawler in the managed database, a bucket with the lake's prefix) are invisible to Terraform
RECORDED_ON_PARENT = {"aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_s3_bucket_notification"}


def _resources(module: dict) -> dict[str, dict]:
    out = {r["address"]: r.get("values", {}) for r in module.get("resources", []) if r.get("mode") == "managed"}
    for child in module.get("child_modules", []):
        out.update(_resources(child))
    return out


def refreshed(lake, tmp_path, name) -> dict[str, dict]:
    """Every managed resource of every layer as ``terraform plan -refresh-only`` read it from AWS (each layer's
    plan's prior_state; addresses are unique across layers: each starts with ``module.<layer>``)."""

    def refresh(layer: str) -> dict[str, dict]:
        terraform, plan = lake.terraforms[layer], tmp_path / f"{name}-{layer}.tfplan"
        terraform.plan(out=plan, variables=lake.tf_variables(layer), refresh_only=True, extra=["-parallelism=20"])
        doc = terraform.show_json(plan)
        return _resources(doc.get("prior_state", {}).get("values", {}).get("root_module", {}))

    out: dict[str, dict] = {}
    with ThreadPoolExecutor(max_workers=len(lake.layers)) as pool:  # the layers side by side, as LocalLake plans
        for resources in pool.map(refresh, lake.layers):
            out.update(resources)
    return out


def terraform_drift(before: dict[str, dict], after: dict[str, dict]) -> dict[str, set]:
    """Address -> changed top-level attributes between two refreshes (``<deleted>`` when it vanished)."""
    out = {}
    for address, values in before.items():
        if address not in after:
            out[address] = {"<deleted>"}
            continue
        keys = set(DeepDiff(values, after[address], ignore_order=True).affected_root_keys)
        if keys:
            out[address] = keys
    return out


def test_refresh_only_plan_agrees(deployed_lake, tmp_path):
    clean = refreshed(deployed_lake, tmp_path, "clean")  # compare refresh with refresh: no provider churn
    with contextlib.ExitStack() as reverts:
        for scenario in ORACLE:
            reverts.callback(scenario.mutate(deployed_lake.aws, deployed_lake.outputs))
        report = check(deployed_lake)
        terraform = terraform_drift(clean, refreshed(deployed_lake, tmp_path, "mutated"))
    ours = {f.address for f in report.findings if f.kind in (Kind.CHANGED, Kind.DELETED)}
    unmanaged = [f for f in report.findings if f.kind is Kind.UNMANAGED]
    ours |= {f.parent for f in unmanaged if f.type in RECORDED_ON_PARENT}
    only_ours = {f.address for f in unmanaged if f.type not in RECORDED_ON_PARENT}

    expected = {s.terraform_sees for s in ORACLE if s.terraform_sees}
    assert expected <= set(terraform), sorted(expected - set(terraform))  # the scenarios really are visible to it
    assert ours <= set(terraform), sorted(ours - set(terraform))  # Terraform confirms everything we report
    for address in set(terraform) - ours:  # what only Terraform lists is one of ours shown a second time
        resource_type = address.split(".")[-2].split("[")[0]
        assert terraform[address] <= ECHO_KEYS.get(resource_type, set()), (address, terraform[address])
    assert only_ours == {s.address for s in ORACLE if s.terraform_sees is None}
    assert not only_ours & set(terraform)
