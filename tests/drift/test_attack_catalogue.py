"""The attack catalogue is complete and consistent: every entry is proven by a scenario, a recorded shape or a
stated reason; its gate mutation exists and targets its invariant; docs/attack-surface.md is generated from it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from drift_scenarios import ATTACK_SCENARIOS, SCENARIOS, batches
from test_attack_shapes import RECORDED

from drift import attack_docs
from drift.attacks import ATTACKS, Attack, by_id, matches
from drift.model import Kind
from policies.checks import all_checks

ROOT = Path(__file__).resolve().parents[2]
ALL_SCENARIOS = [*SCENARIOS, *ATTACK_SCENARIOS]


def _mutations() -> dict:
    # tests/policies is not on this directory's import path: load the mutation list by file
    spec = importlib.util.spec_from_file_location(
        "_attack_policy_mutations", ROOT / "tests/policies/policy_mutations.py"
    )
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return {m.name: m for m in module.MUTATIONS}


def _scenario(attack: Attack):
    found = [s for s in ALL_SCENARIOS if s.attack == attack.id]
    return found[0] if len(found) == 1 else found


def test_catalogue_covers_what_the_issue_lists():
    groups = {a.group for a in ATTACKS}
    for wanted in ("raw bucket", "every bucket", "roles", "ETL function", "Glue", "Athena", "KMS", "SQS", "logs"):
        assert wanted in groups, wanted
    assert len(by_id()) == len(ATTACKS) >= 60


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.id for a in ATTACKS])
def test_entry_is_proven_or_says_why_not(attack):
    assert attack.action and attack.target
    assert attack.invariant is None or attack.invariant in {c.id for c in all_checks()}, attack.invariant
    assert not attack.critical or attack.invariant, "critical only when an invariant is broken (and named)"
    if attack.kind is None:
        assert attack.seen and attack.local, "an entry drift cannot see says why, and what sees it instead"
        return
    if attack.local is None:
        scenario = _scenario(attack)
        assert not isinstance(scenario, list), f"{attack.id}: needs exactly one scenario, found {scenario}"
        assert scenario.kind == attack.kind.value
        assert matches(attack.address, scenario.address), (attack.address, scenario.address)
        assert scenario.critical == attack.critical
    else:
        assert attack.id in RECORDED, f"{attack.id} is untested locally ({attack.local}): it needs a recorded shape"
        assert _scenario(attack) == [], f"{attack.id} says it cannot be made locally but has a scenario"


def test_every_gate_mutation_exists_and_targets_the_invariant():
    mutations = _mutations()
    for attack in ATTACKS:
        if attack.mutation is None:
            continue
        assert attack.mutation in mutations, f"{attack.id}: no mutation {attack.mutation}"
        assert attack.invariant == mutations[attack.mutation].check_id, (attack.id, mutations[attack.mutation])


def test_scenarios_name_real_entries_and_batches_keep_objects_apart():
    for scenario in ALL_SCENARIOS:
        assert scenario.attack is None or scenario.attack in by_id(), scenario.name
    for batch in batches(ATTACK_SCENARIOS):
        addresses = [s.address for s in batch]
        assert len(addresses) == len(set(addresses)), addresses
    assert sum(len(b) for b in batches(ATTACK_SCENARIOS)) == len(ATTACK_SCENARIOS)


def test_address_patterns():
    assert matches(
        '*module.s3.aws_s3_bucket_policy.this["raw"]', 'module.foundation.module.s3.aws_s3_bucket_policy.this["raw"]'
    )
    assert not matches('*module.s3.aws_s3_bucket_policy.this["raw"]', 'module.s3.aws_s3_bucket_policy.this["rax"]')
    assert matches("aws_s3_bucket_lifecycle_configuration:*-raw", "aws_s3_bucket_lifecycle_configuration:lake-prod-raw")
    assert not matches("aws_s3_bucket_lifecycle_configuration:*-raw", "aws_s3_bucket_lifecycle_configuration:x-curated")


def test_summary_counts_the_catalogue():
    text = attack_docs.summary()
    drift = sum(a.kind is not None for a in ATTACKS)
    gate = sum(a.mutation is not None for a in ATTACKS)
    untested = [a for a in ATTACKS if a.local]
    assert f"{len(ATTACKS)} entries listed, {drift} caught by drift" in text
    assert f"{gate} caught by the gate, {len(untested)} untested locally" in text
    for attack in untested:
        assert f"`{attack.id}` ({attack.local})" in text
    assert Kind.UNMANAGED.value in attack_docs.render()


def test_docs_page_is_generated_from_the_catalogue():
    assert (ROOT / "docs" / "attack-surface.md").read_text(encoding="utf-8") == attack_docs.render(), (
        "docs/attack-surface.md is stale: run python -m drift.attack_docs > docs/attack-surface.md"
    )
