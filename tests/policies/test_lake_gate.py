"""The gate across states: one lake from several layers' HCL, plans and states; a lake with a layer missing fails
closed (GATE-INCOMPLETE); ``--state [<layer>=]PATH|s3://bucket/key``; cross-state violations need both layers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from policy_mutations import CROSS_STATE_MUTATIONS, mutated_copy

from lake.cli import main
from lake.layers import LAYERS
from lake.workspace import resolve
from policies.api import INCOMPLETE_ID, check_hcl, check_lake, check_model
from policies.errors import PolicyInputError
from policies.loaders.hcl import load_hcl, parse_module
from policies.loaders.layers import combine, plan_env
from policies.loaders.state_source import StateSpec, parse_state_spec

CHECKOUT = resolve(Path(__file__).parent)


def state_of(layer: str | None, *types: str) -> dict:
    """A tfstate v4 document holding one resource of each type under ``module.<layer>`` (no module: None)."""
    resources = [
        {
            **({"module": f"module.{layer}.module.m"} if layer else {}),
            "mode": "managed",
            "type": rtype,
            "name": "this",
            "instances": [{"attributes": {"name": f"{layer}-{rtype}"}}],
        }
        for rtype in types
    ]
    return {"version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": "x", "resources": resources}


STATES = {
    "foundation": state_of("foundation", "aws_s3_bucket"),
    "ingestion": state_of("ingestion", "aws_sqs_queue"),
    "catalog": state_of("catalog", "aws_glue_catalog_database"),
    "query": state_of("query", "aws_athena_workgroup"),
}


# ---------------------------------------------------------------------- --state


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("catalog=s3://state/lake/catalog.tfstate", StateSpec("s3://state/lake/catalog.tfstate", "catalog")),
        ("foundation=/tmp/a=b/foundation.tfstate", StateSpec("/tmp/a=b/foundation.tfstate", "foundation")),
        ("s3://state/lake/query.tfstate", StateSpec("s3://state/lake/query.tfstate")),
        ("reports/query.tfstate", StateSpec("reports/query.tfstate")),
    ],
)
def test_state_spec(spec, parsed):
    assert parse_state_spec(spec) == parsed


@pytest.mark.parametrize(
    ("spec", "message"), [("catlog=x.tfstate", "unknown layer 'catlog'"), ("query=", "no path"), ("", "expected")]
)
def test_state_spec_errors(spec, message):
    with pytest.raises(PolicyInputError, match=message):
        parse_state_spec(spec)


# ---------------------------------------------------------------------- one lake, every layer


def test_a_layer_missing_fails_closed_naming_it_and_how_to_pass_it():
    findings = check_lake(states={"catalog.tfstate": STATES["catalog"]})
    assert [(f.check_id, f.severity, f.layer) for f in findings] == [
        (INCOMPLETE_ID, "high", layer) for layer in ("foundation", "ingestion", "query")
    ]
    foundation = findings[0]
    assert foundation.address == "module.foundation" and "layer foundation" in foundation.message
    assert "--state foundation=s3://" in foundation.fix and "--plan foundation.json" in foundation.fix


def test_every_layer_given_is_judged_as_one_lake():
    findings = check_lake(states={f"{layer}.tfstate": doc for layer, doc in STATES.items()})
    assert findings and not any(f.check_id == INCOMPLETE_ID for f in findings)  # the checks ran (a toy lake fails)


def test_a_labelled_state_must_hold_its_layer():
    with pytest.raises(
        PolicyInputError, match="given as the foundation layer's state, but its resources belong to catalog"
    ):
        check_lake(states={"catalog.tfstate": STATES["catalog"]}, state_layers={"catalog.tfstate": "foundation"})
    empty = state_of("query")  # a layer not applied yet: its label says which layer it is
    findings = check_lake(
        states={**{f"{k}.tfstate": v for k, v in STATES.items() if k != "query"}, "q.tfstate": empty},
        state_layers={"q.tfstate": "query"},
    )
    assert not any(f.check_id == INCOMPLETE_ID for f in findings)
    assert any(f.check_id == "ATHENA-ENFORCED" and "no Athena workgroup" in f.message for f in findings)


def test_a_layer_given_twice_or_mixed_with_an_unsplit_state_is_an_error():
    with pytest.raises(PolicyInputError, match="a second input for layer catalog"):
        check_lake(states={"a.tfstate": STATES["catalog"], "b.tfstate": STATES["catalog"]})
    with pytest.raises(PolicyInputError, match="belong to no one layer"):
        check_lake(states={"old.tfstate": state_of(None, "aws_s3_bucket"), "c.tfstate": STATES["catalog"]})


def test_a_resource_beside_the_module_call_is_judged_with_its_state_layer():
    """A layer root may hold resources of its own (``aws_s3_bucket.extra`` next to ``module "foundation"``): the
    state is still that layer's, as drift reads it, and its resources are judged with the lake."""
    extra = state_of(None, "aws_s3_bucket")["resources"][0] | {"name": "extra"}
    foundation = {**STATES["foundation"], "resources": [*STATES["foundation"]["resources"], extra]}
    states = {**{f"{k}.tfstate": v for k, v in STATES.items()}, "foundation.tfstate": foundation}
    findings = check_lake(states=states)
    assert not any(f.check_id == INCOMPLETE_ID for f in findings)
    assert any(f.address == "aws_s3_bucket.extra" and f.layer == "foundation" for f in findings), [
        (f.check_id, f.address, f.layer) for f in findings
    ]
    labelled = check_lake(states=states, state_layers={"foundation.tfstate": "foundation"})
    assert [(f.check_id, f.address) for f in labelled] == [(f.check_id, f.address) for f in findings]


def plan_declaring(layer: str, env: Path) -> dict:
    """A plan document whose configuration is that of ``env``'s ``layer`` root: its module call and variables."""
    variables = {name: {} for name in parse_module(env / layer).variables}
    return {"configuration": {"root_module": {"variables": variables, "module_calls": {layer: {}}}}}


def test_a_plan_is_enriched_from_the_environment_it_was_made_from():
    """`lake policy check --plan` in a checkout reads the HCL of the environment whose root declares the plan's
    variables: an envs/aws plan (the merge-gate workflow's) is never read with envs/local's HCL."""
    infra = CHECKOUT.infra
    for env in ("aws", "local"):
        for layer in LAYERS:
            assert plan_env(plan_declaring(layer, infra / "envs" / env), infra) == infra / "envs" / env
    # an environment or root given directly is taken as it is
    aws_plan = plan_declaring("catalog", infra / "envs" / "aws")
    assert plan_env(aws_plan, infra / "envs" / "aws") == infra / "envs" / "aws"
    # a plan of a root that is none of them: no guess, the way out named
    aws_plan["configuration"]["root_module"]["variables"]["my_own"] = {}
    with pytest.raises(PolicyInputError, match=r"^mine.json: none of the environments in .*envs \(aws, local\)"):
        plan_env(aws_plan, infra, "mine.json")
    with pytest.raises(
        PolicyInputError, match=r"pass --infra <the environment or root it was made from>, or --no-enrich$"
    ):
        plan_env(aws_plan, infra)


# ---------------------------------------------------------------------- the command


@pytest.fixture
def aws_env(local_aws, monkeypatch):
    """The local endpoint's credentials and region in the environment; the endpoint only through --endpoint-url."""
    for key, value in local_aws.environment().items():
        if key != "AWS_ENDPOINT_URL":
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return local_aws


def _write_states(tmp_path, layers):
    paths = {}
    for layer in layers:
        paths[layer] = tmp_path / f"{layer}.tfstate"
        paths[layer].write_text(json.dumps(STATES[layer]))
    return paths


def test_cli_incomplete_lake_exit_1_names_each_missing_layer(capsys, tmp_path):
    paths = _write_states(tmp_path, ["catalog", "query"])
    code = main(["policy", "check", "--state", f"catalog={paths['catalog']}", "--state", str(paths["query"])])
    out = capsys.readouterr().out
    assert code == 1
    assert out.count(INCOMPLETE_ID) == 2 and "--state foundation=" in out and "--state ingestion=" in out


def test_sarif_of_an_incomplete_lake_names_the_missing_layers(capsys, tmp_path):
    paths = _write_states(tmp_path, ["foundation", "ingestion", "catalog"])
    sarif = tmp_path / "gate.sarif"
    argv = ["policy", "check", "--format", "sarif", "--output", str(sarif)]
    code = main(argv + [f"--state={p}" for p in paths.values()])
    capsys.readouterr()
    run = json.loads(sarif.read_text())["runs"][0]
    assert code == 1 and INCOMPLETE_ID in {r["id"] for r in run["tool"]["driver"]["rules"]}
    [result] = run["results"]
    assert result["ruleId"] == INCOMPLETE_ID and result["level"] == "error"
    assert result["properties"] == {"layer": "query"} and result["message"]["text"].startswith("query: module.query: ")


@pytest.mark.parametrize("where", ["missing.tfstate", "s3://no-such-state-bucket/lake/foundation.tfstate"])
def test_cli_unreadable_state_exit_2_one_line(capsys, tmp_path, aws_env, where):
    paths = _write_states(tmp_path, ["ingestion", "catalog", "query"])
    source = where if where.startswith("s3://") else str(tmp_path / where)
    argv = ["policy", "check", "--endpoint-url", aws_env.endpoint, "--state", f"foundation={source}"]
    code = main(argv + [f"--state={p}" for p in paths.values()])
    err = capsys.readouterr().err
    assert code == 2 and source in err and "foundation layer" in err and "never a pass" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_reads_states_from_s3(capsys, aws_env):
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="gate-states")
    for layer, doc in STATES.items():
        s3.put_object(Bucket="gate-states", Key=f"lake/{layer}.tfstate", Body=json.dumps(doc).encode())
    argv = ["policy", "check", "--endpoint-url", aws_env.endpoint, "--format", "json"]
    argv += [f"--state={layer}=s3://gate-states/lake/{layer}.tfstate" for layer in LAYERS]
    code = main(argv)
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["findings"]  # judged (a toy lake fails its checks), not an input error
    assert not any(f["check_id"] == INCOMPLETE_ID for f in doc["findings"])
    assert doc["inputs"][0] == "state foundation=s3://gate-states/lake/foundation.tfstate"


# ---------------------------------------------------------------------- cross-state violations on the HCL


@pytest.fixture(scope="module")
def cross_copies(tmp_path_factory):
    return {m.name: mutated_copy(m, tmp_path_factory.mktemp(m.name)) for m in CROSS_STATE_MUTATIONS}


@pytest.mark.parametrize("mutation", CROSS_STATE_MUTATIONS, ids=[m.name for m in CROSS_STATE_MUTATIONS])
def test_cross_state_violation_needs_both_layers(mutation, cross_copies):
    """Caught on the whole lake and on the two layers it spans, naming the edited layer; the edited layer alone
    (what a gate judging one plan at a time sees) does not show it."""
    edited, partner = mutation.spans
    assert mutation.layers == (edited,)
    env = cross_copies[mutation.name] / "envs" / "local"
    whole = [f for f in check_hcl(cross_copies[mutation.name]) if f.check_id == mutation.check_id]
    assert whole and {f.layer for f in whole} == {edited}, [(f.layer, f.address, f.message) for f in whole]
    assert all(f.address.startswith(f"module.{edited}.") for f in whole)
    both = combine({layer: load_hcl(env / layer) for layer in (edited, partner)})
    assert mutation.check_id in {f.check_id for f in check_model(both, only=[mutation.check_id])}
    alone = check_model(load_hcl(env / edited), only=[mutation.check_id])
    assert not [f for f in alone if "raw" in f.message], [(f.address, f.message) for f in alone]
