"""The mutation suite on real plans: `terraform plan` of each mutated copy against one moto server.

Plans run in a pool of two workers (terraform plan of this root takes ~15 s on a quiet machine); every plan is
checked with HCL enrichment (as `lake policy check --plan` does in CI) and must be caught by the intended check.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from policy_mutations import MUTATIONS, Mutation, mutated_copy

from policies.api import check_plan
from policies.planner import plan_with

pytestmark = pytest.mark.e2e

UNKNOWN_POLICY = Mutation(
    "policy-unknown-at-plan",
    "IAM-NO-WILDCARD",
    add="""
resource "aws_iam_role_policy" "mutation" {
  name   = "mutation"
  role   = module.iam.role_names["etl"]
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["kms:Decrypt"], Resource = module.s3.kms_key_arn }] })
}
""",
)


@pytest.fixture(scope="module")
def plans(local_aws, lake_artifacts, tmp_path_factory):
    """name -> (plan JSON, Terraform root of the copy); None is the clean copy."""
    jobs = [None, *MUTATIONS, UNKNOWN_POLICY]

    def run(m):
        base = tmp_path_factory.mktemp(m.name if m else "clean")
        root = mutated_copy(m, base / "src")
        started = time.monotonic()
        plan = plan_with(local_aws, root, base / "work", zips=lake_artifacts)
        return (m.name if m else None), plan, root, time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(run, jobs))
    wall = time.monotonic() - started
    times = sorted(t for *_, t in done)
    print(f"\n{len(jobs)} plans in {wall:.0f}s wall (pool of 2); one plan: median {times[len(times) // 2]:.1f}s")
    return {name: (plan, root) for name, plan, root, _ in done}


def _ids(plans, name):
    plan, root = plans[name]
    return {f.check_id for f in check_plan(plan, infra_dir=root)}


def test_clean_plan_passes(plans):
    plan, root = plans[None]
    findings = check_plan(plan, infra_dir=root)
    assert findings == [], [f"{f.check_id} {f.address}: {f.message}" for f in findings]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mutation_caught_on_plan(mutation, plans):
    ids = _ids(plans, mutation.name)
    assert mutation.check_id in ids, f"{mutation.name}: got {sorted(ids)}"


def test_plan_kill_rate(plans):
    killed = [m.name for m in MUTATIONS if m.check_id in _ids(plans, m.name)]
    rate = len(killed) / len(MUTATIONS)
    print(f"\nplan mutation kill rate: {len(killed)}/{len(MUTATIONS)} = {rate:.0%}")
    assert rate == 1.0, sorted({m.name for m in MUTATIONS} - set(killed))


def test_policy_unknown_at_plan_time_fails_closed(plans):
    plan, root = plans[UNKNOWN_POLICY.name]
    for infra in (root, None):  # with and without HCL enrichment: the key ARN is unknown in both
        findings = check_plan(plan, infra_dir=infra)
        undecided = [f for f in findings if "cannot be decided" in f.message and "mutation" in f.address]
        assert undecided, [f"{f.check_id} {f.address}: {f.message}" for f in findings]
        assert any("known only after apply" in f.message for f in undecided)
