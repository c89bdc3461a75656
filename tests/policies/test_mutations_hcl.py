"""The mutation suite on the HCL: every seeded violation is caught by its intended check; the clean infra passes."""

from __future__ import annotations

import pytest
from policy_mutations import MUTATIONS, mutated_copy

from policies.api import check_hcl


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, set[str]]:
    out = {}
    for m in MUTATIONS:
        infra = mutated_copy(m, tmp_path_factory.mktemp(m.name))
        out[m.name] = {f.check_id for f in check_hcl(infra)}
    return out


def test_at_least_25_distinct_mutations():
    assert len({m.name for m in MUTATIONS}) == len(MUTATIONS) >= 25
    assert len({(m.replace, m.add) for m in MUTATIONS}) == len(MUTATIONS)


def test_clean_copy_passes(tmp_path):
    findings = check_hcl(mutated_copy(None, tmp_path))
    assert findings == [], [f"{f.check_id} {f.address}: {f.message}" for f in findings]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mutation_caught_on_hcl(mutation, results):
    assert mutation.check_id in results[mutation.name], f"{mutation.name}: got {sorted(results[mutation.name])}"


def test_hcl_kill_rate(results):
    killed = [m.name for m in MUTATIONS if m.check_id in results[m.name]]
    rate = len(killed) / len(MUTATIONS)
    print(f"\nHCL mutation kill rate: {len(killed)}/{len(MUTATIONS)} = {rate:.0%}")
    assert rate == 1.0, sorted(set(m.name for m in MUTATIONS) - set(killed))
