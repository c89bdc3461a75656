"""The mutation suite on real plans: `terraform plan` against one moto server, every copy caught on the plan.

Planning each mutated copy on its own costs ~20 s a plan on this shared 2-core machine (measured: 34 plans in
384 s with a pool of 2), and the lake is four layer roots now: four plans a copy. So the copies are planned in
batches: one root per batch holds one whole lake per mutation (``module.lake_<name>.module.<layer>``, see
``policy_mutations.batch_root``), two batches plan in parallel, and each lake is checked on its own slice of the
plan, cut back into its four layers and combined as ``lake policy check`` combines four plans
(``policy_mutations.lake_slice``). Isolation is kept: a copy's resources live only under its module address.
Every plan is checked with HCL enrichment, as ``lake policy check --plan`` does in CI. Measured with four layers
a lake (about 69 resources each): 75 lakes in two batches, 468 s wall at load average ~14 on the shared machine
(the single-root suite: 71 lakes of 56 resources, 207 s at load 10).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from policy_mutations import CROSS_STATE_MUTATIONS, MUTATIONS, Mutation, batch_root, instance_name, lake_slice

from policies.api import check_model, plan_model
from policies.planner import plan_with

pytestmark = pytest.mark.e2e

UNKNOWN_POLICY = Mutation(
    "policy-unknown-at-plan",
    "IAM-NO-WILDCARD",
    layer="foundation",
    add="""
resource "aws_iam_role_policy" "mutation" {
  name   = "mutation"
  role   = module.iam.role_names["etl"]
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["kms:Decrypt"], Resource = module.s3.kms_key_arn }] })
}
""",
)
JOBS = [None, *MUTATIONS, UNKNOWN_POLICY]
BATCHES = 2


@pytest.fixture(scope="module")
def models(local_aws, lake_artifacts, tmp_path_factory):
    """instance name -> (enriched plan model slice, plain plan model slice)."""
    batches = [JOBS[i::BATCHES] for i in range(BATCHES)]

    # made here, not in the threads: pytest's tmp_path_factory is not thread-safe (two threads creating the
    # session's basetemp at once: one removed the other's directory, or mkdir failed with FileExistsError)
    bases = [tmp_path_factory.mktemp(f"batch{i}") for i in range(BATCHES)]

    def run(i):
        base = bases[i]
        root = batch_root(batches[i], base / "src")
        started = time.monotonic()
        (plan,) = plan_with(local_aws, root, base / "work", zips=lake_artifacts).values()
        return plan, root, time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=BATCHES) as pool:
        done = list(pool.map(run, range(BATCHES)))
    print(
        f"\n{len(JOBS)} mutated lakes planned in {BATCHES} batches: {time.monotonic() - started:.0f}s wall "
        f"(batch plans {', '.join(f'{t:.0f}s' for *_, t in done)})"
    )
    out = {}
    for batch, (plan, root, _) in zip(batches, done, strict=True):
        enriched, plain = plan_model(plan, root), plan_model(plan)
        for job in batch:
            out[instance_name(job)] = (lake_slice(enriched, job), lake_slice(plain, job))
    return out


def _ids(models, mutation):
    return {f.check_id for f in check_model(models[instance_name(mutation)][0])}


def test_clean_plan_passes(models):
    enriched, _ = models[instance_name(None)]
    assert len(enriched.resources) > 40
    findings = check_model(enriched)
    assert findings == [], [f"{f.check_id} {f.address}: {f.message}" for f in findings]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mutation_caught_on_plan(mutation, models):
    ids = _ids(models, mutation)
    assert mutation.check_id in ids, f"{mutation.name}: got {sorted(ids)}"


@pytest.mark.parametrize("mutation", CROSS_STATE_MUTATIONS, ids=[m.name for m in CROSS_STATE_MUTATIONS])
def test_cross_state_mutation_named_by_its_layer_on_the_four_plans(mutation, models):
    caught = [f for f in check_model(models[instance_name(mutation)][0]) if f.check_id == mutation.check_id]
    assert caught and {f.layer for f in caught} == {mutation.spans[0]}, [(f.layer, f.address) for f in caught]


def test_plan_kill_rate(models):
    killed = [m.name for m in MUTATIONS if m.check_id in _ids(models, m)]
    rate = len(killed) / len(MUTATIONS)
    print(f"\nplan mutation kill rate: {len(killed)}/{len(MUTATIONS)} = {rate:.0%}")
    assert rate == 1.0, sorted({m.name for m in MUTATIONS} - set(killed))


def test_policy_unknown_at_plan_time_fails_closed(models):
    for model in models[instance_name(UNKNOWN_POLICY)]:  # with and without HCL enrichment
        findings = check_model(model)
        undecided = [
            f for f in findings if "cannot be decided" in f.message and "aws_iam_role_policy.mutation" in f.address
        ]
        assert undecided, [f"{f.check_id} {f.address}: {f.message}" for f in findings]
        assert any("known only after apply" in f.message for f in undecided)


def test_plan_without_enrichment_fails_closed_not_open(models):
    """Without the HCL, plan-time unknowns (bucket ids, role ARNs) make checks fail closed, never pass silently."""
    _, plain = models[instance_name(None)]
    findings = check_model(plain)
    assert findings and all("cannot be decided" in f.message or "cannot" in f.message for f in findings[:5])
