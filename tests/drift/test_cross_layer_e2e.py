"""Drift across the lake's four states: a hand change in one layer that breaks an invariant together with another
layer is critical in the one report over all four, and is not when that layer's state is judged alone.

Each scenario (``drift_scenarios.CROSS_LAYER``) is made with boto3 on the layered lake applied to moto, checked
over the four states, then over the changed layer's state alone, reverted, and the four-state report is clean.
"""

from __future__ import annotations

import json

import pytest
from drift_scenarios import CROSS_LAYER

from drift.aws import AWSOptions, LiveAWS
from drift.check import CheckOptions, run_check
from drift.model import Kind, Severity

pytestmark = pytest.mark.e2e


def check(lake, layers=None):
    paths = lake.state_paths
    options = CheckOptions(
        states=[f"{layer}={paths[layer]}" for layer in (layers or lake.layers)],
        aws=AWSOptions(endpoint_url=lake.aws.endpoint, region=lake.aws.region),
        progress=False,
        catalog_health=False,
    )
    return run_check(options, LiveAWS(options.aws, session=lake.aws.session()))


@pytest.mark.parametrize("scenario", CROSS_LAYER, ids=[s.name for s in CROSS_LAYER])
def test_cross_layer_drift_is_critical_in_the_one_report(deployed_lake, scenario):
    assert deployed_lake.layered
    revert = scenario.mutate(deployed_lake.aws, deployed_lake.outputs)
    try:
        whole = check(deployed_lake)
        alone = check(deployed_lake, [scenario.layer])
    finally:
        revert()
    assert whole.judged, whole.judge_note
    drift = [f for f in whole.findings if f.kind is not Kind.UNKNOWN]
    assert [f.address for f in drift] == [scenario.address], [f.to_dict() for f in drift]
    [finding] = drift
    assert finding.layer == scenario.layer and finding.kind is Kind.CHANGED
    assert any(c.path.startswith(scenario.attribute) for c in finding.changes), finding.changes
    assert finding.severity is Severity.CRITICAL, finding.to_dict()
    broken = {text.split(" ", 1)[0] for text in finding.invariants}
    assert set(scenario.invariants) <= broken, finding.invariants
    assert any(scenario.names in text for text in finding.invariants), finding.invariants  # the other layer seen
    assert [g.layer for g in whole.groups()] == ["foundation", "ingestion", "catalog", "query"]
    assert whole.exit_code("critical") == 1

    # the changed layer judged alone (as a one-plan-at-a-time checker would): the same change is not critical
    [same] = [f for f in alone.findings if f.address == scenario.address]
    assert same.kind is Kind.CHANGED and same.severity is not Severity.CRITICAL, same.invariants


def test_reverted_cross_layer_changes_leave_the_report_clean(deployed_lake):
    report = check(deployed_lake)
    assert [f.to_dict() for f in report.findings] == []
    assert report.exit_code() == 0 and {g.layer for g in report.groups()} == set(deployed_lake.layers)


def test_cli_reads_the_four_layers_under_one_prefix(deployed_lake, tmp_path, monkeypatch, capsys):
    """`lake drift --state-prefix DIR/` on the applied lake: one clean report, each layer with its own state."""
    from lake.cli import main

    for key, value in deployed_lake.aws.environment().items():
        monkeypatch.setenv(key, value)
    directory = {path.parent for path in deployed_lake.state_paths.values()}
    assert len(directory) == 1
    report = tmp_path / "drift.json"
    aws = ["--endpoint-url", deployed_lake.aws.endpoint, "--region", deployed_lake.aws.region]
    code = main(["drift", "--state-prefix", f"{directory.pop()}/", *aws, "--json", str(report), "--markdown", "-"])
    out = capsys.readouterr().out
    assert code == 0, out
    doc = json.loads(report.read_text())
    layers = doc["summary"]["layers"]
    assert [(e["layer"], e["states"]) for e in layers] == [
        (layer, [str(deployed_lake.state_paths[layer])]) for layer in ("foundation", "ingestion", "catalog", "query")
    ]
    assert all(e["resources"] and e["checked"] == e["resources"] for e in layers)
    assert doc["findings"] == [] and doc["summary"]["resources"] == sum(e["resources"] for e in layers)
    assert [line for line in out.splitlines() if line.startswith("## Layer ")] == [
        "## Layer foundation",
        "## Layer ingestion",
        "## Layer catalog",
        "## Layer query",
    ]
