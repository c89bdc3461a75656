"""Every attack catalogue entry the local endpoint can make, applied with boto3 to the deployed lake: found with the
catalogued kind and address, critical exactly when the catalogue says so, and the report clean after the revert.

The scenarios run in batches (``drift_scenarios.batches``: no two in a batch touch the same object), one drift
check per batch; the judge rates each finding on its own (the state with only that drift applied), so batching
does not change a finding's severity.
"""

from __future__ import annotations

import contextlib

import pytest
from drift_scenarios import ATTACK_SCENARIOS, batches
from test_drift_e2e import check

from drift.attacks import by_id, matches
from drift.model import Kind, Severity

pytestmark = pytest.mark.e2e

BATCHES = batches(ATTACK_SCENARIOS)


@pytest.mark.parametrize("batch", BATCHES, ids=[f"batch{i}" for i in range(len(BATCHES))])
def test_attack_batch_is_found_then_clean(deployed_lake, batch):
    with contextlib.ExitStack() as reverts:
        for scenario in batch:
            reverts.callback(scenario.mutate(deployed_lake.aws, deployed_lake.outputs))
        report = check(deployed_lake)
    drift = [f for f in report.findings if f.kind is not Kind.UNKNOWN]
    unread = [f.to_dict() for f in report.findings if f.kind is Kind.UNKNOWN]
    assert unread == [], unread
    claimed = set()
    for scenario in batch:
        entry = by_id()[scenario.attack]
        found = [f for f in drift if matches(scenario.address, f.address)]
        assert len(found) == 1, (scenario.attack, [f.to_dict() for f in drift])
        [finding] = found
        claimed.add(finding.address)
        assert matches(entry.address, finding.address), (entry.address, finding.address)
        assert finding.kind is entry.kind, (scenario.attack, finding.kind)
        if scenario.attribute:
            assert finding.changes and all(c.path.startswith(scenario.attribute) for c in finding.changes), (
                scenario.attack,
                finding.changes,
            )
        if scenario.parent:
            assert finding.parent == scenario.parent, (scenario.attack, finding.parent)
        assert (finding.severity is Severity.CRITICAL) == entry.critical, (scenario.attack, finding.invariants)
        if entry.critical:  # the finding names the invariant the catalogue says it breaks
            assert any(text.startswith(f"{entry.invariant} ") for text in finding.invariants), finding.invariants
        assert finding.remedy
    assert {f.address for f in drift} == claimed, sorted({f.address for f in drift} - claimed)
    assert report.exit_code() == 1
    assert report.exit_code("critical") == (1 if any(by_id()[s.attack].critical for s in batch) else 0)
    after = check(deployed_lake)
    assert [f.to_dict() for f in after.findings] == []
