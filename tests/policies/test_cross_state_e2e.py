"""A single-layer PR is still fully checked: the changed layer's plan is judged with the other layers' current
states (read from their backends), as one lake.

Against the session's deployed lake (four layers applied on moto): each cross-state mutation's edited layer is
planned from a mutated copy (starting from the deployed state of that layer, so the plan is the PR's diff), and
judged with the deployed states of the three other layers. Nothing is applied: the deployed lake is left as it was.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from policy_mutations import CROSS_STATE_MUTATIONS, mutated_copy

from lake.cli import main
from lake.deploy import LocalLake
from lake.layers import LAYERS
from policies.api import INCOMPLETE_ID, check_lake

pytestmark = pytest.mark.e2e

CLEAN_LAYER = "ingestion"  # the un-mutated copy: a Lambda-only PR
JOBS = [(None, CLEAN_LAYER), *((m, m.spans[0]) for m in CROSS_STATE_MUTATIONS)]
STATE_BUCKET = "gate-e2e-tfstate"  # not the lake's prefix: drift's unmanaged search must not see it


def _name(mutation) -> str:
    return mutation.name if mutation else "clean"


@pytest.fixture(scope="module")
def states(deployed_lake):
    return deployed_lake.states()


@pytest.fixture(scope="module")
def plans(deployed_lake, local_aws, lake_artifacts, tmp_path_factory):
    """name -> (edited layer, plan JSON of that layer of the mutated copy, the copy's infra/)."""
    bases = {_name(m): tmp_path_factory.mktemp(_name(m)) for m, _ in JOBS}

    def run(job):
        mutation, layer = job
        base = bases[_name(mutation)]
        infra = mutated_copy(mutation, base / "src")
        lake = LocalLake(local_aws, base / "work", *lake_artifacts, config_dir=infra / "envs" / "local")
        try:
            lake.init([layer])
            shutil.copyfile(deployed_lake.state_paths[layer], lake.state_paths[layer])
            return _name(mutation), (layer, lake.plan_json(layer), infra)
        finally:
            lake.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, JOBS))


def _others(states, layer, leave_out=()):
    return {f"{other}.tfstate": s for other, s in states.items() if other != layer and other not in leave_out}


def _shown(findings):
    return [f"{f.check_id} {f.layer} {f.address}: {f.message}" for f in findings]


def test_a_layer_plan_holds_only_that_layer(plans):
    for layer, plan, _ in plans.values():
        addresses = [rc["address"] for rc in plan["resource_changes"]]
        assert addresses and all(a.startswith(f"module.{layer}.") for a in addresses)


def test_clean_layer_plan_with_the_other_states_passes(plans, states):
    layer, plan, infra = plans["clean"]
    changes = {a for rc in plan["resource_changes"] if (a := rc["address"]) and rc["change"]["actions"] != ["no-op"]}
    assert not changes, changes  # the copy is the deployed lake: nothing to do, and nothing to find
    findings = check_lake({f"{layer}.json": plan}, _others(states, layer), infra)
    assert findings == [], _shown(findings)


@pytest.mark.parametrize("mutation", CROSS_STATE_MUTATIONS, ids=[m.name for m in CROSS_STATE_MUTATIONS])
def test_cross_state_violation_caught_on_one_layer_plan_with_the_other_states(mutation, plans, states):
    layer, plan, infra = plans[mutation.name]
    assert layer == mutation.spans[0]
    findings = check_lake({f"{layer}.json": plan}, _others(states, layer), infra)
    caught = [f for f in findings if f.check_id == mutation.check_id]
    assert caught, _shown(findings)
    assert {f.layer for f in caught} == {layer} and all(f.address.startswith(f"module.{layer}.") for f in caught)


@pytest.mark.parametrize("mutation", CROSS_STATE_MUTATIONS, ids=[m.name for m in CROSS_STATE_MUTATIONS])
def test_without_the_partner_layer_state_the_gate_fails_closed(mutation, plans, states):
    layer, plan, infra = plans[mutation.name]
    partner = mutation.spans[1]
    findings = check_lake({f"{layer}.json": plan}, _others(states, layer, leave_out=[partner]), infra)
    assert [(f.check_id, f.layer) for f in findings] == [(INCOMPLETE_ID, partner)], _shown(findings)


def test_cli_one_layer_plan_with_states_from_s3(capsys, tmp_path, plans, states, local_aws, monkeypatch):
    """`lake policy check --plan <layer>.json --state <other>=s3://...` as the merge-gate runs it for a one-layer
    PR: a pass for the clean plan, the layer named for a cross-state violation, fail closed without a state."""
    for key, value in local_aws.environment().items():
        if key != "AWS_ENDPOINT_URL":
            monkeypatch.setenv(key, value)
    s3 = local_aws.client("s3")
    s3.create_bucket(Bucket=STATE_BUCKET)
    for layer, state in states.items():
        s3.put_object(Bucket=STATE_BUCKET, Key=f"lake/{layer}.tfstate", Body=json.dumps(state).encode())

    def check(name, leave_out=()):
        layer, plan, _ = plans[name]
        path = tmp_path / f"{name}-{layer}.json"
        path.write_text(json.dumps(plan))
        argv = ["policy", "check", "--plan", str(path), "--endpoint-url", local_aws.endpoint, "--format", "json"]
        argv += [
            f"--state={other}=s3://{STATE_BUCKET}/lake/{other}.tfstate"
            for other in LAYERS
            if other != layer and other not in leave_out
        ]
        code = main(argv)
        return code, json.loads(capsys.readouterr().out)

    code, doc = check("clean")
    assert code == 0 and doc["passed"], doc["findings"]
    code, doc = check("clean", leave_out=["query"])
    assert code == 1 and [(f["check_id"], f["layer"]) for f in doc["findings"]] == [(INCOMPLETE_ID, "query")]
    code, doc = check("etl-env-points-at-raw")
    assert code == 1
    assert {(f["check_id"], f["layer"]) for f in doc["findings"]} >= {("ETL-NO-RAW-WRITE", "ingestion")}
