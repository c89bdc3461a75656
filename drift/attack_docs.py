"""Generate ``docs/attack-surface.md`` from the attack catalogue (``drift.attacks``).

python -m drift.attack_docs > docs/attack-surface.md        # regenerate
python -m drift.attack_docs --check docs/attack-surface.md  # exit 1 when the committed page is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from drift.attacks import ATTACKS, Attack
from drift.docs import emit

INTRO = """# Attack surface: every console action that can break an invariant, and what sees it

Generated from `drift/attacks.py` by `python -m drift.attack_docs`; do not edit by hand.

Each row is one (invariant, AWS action) pair. **Drift** is the finding `lake drift` must produce on the live lake
(kind, address pattern, critical or not); **Gate** is the mutation in `tests/policies/policy_mutations.py` that
makes the same change in Terraform and that `lake policy check` must refuse on the HCL and on the plan. Rows
without an invariant are changes that break none: they are still reported, never as critical, so
`--fail-on critical` pages only for a broken invariant. **Local** says how the row is proven: by an e2e scenario
of the same id in `tests/drift/drift_scenarios.py` (applied with boto3 to the lake deployed on the local
endpoint), or, when the local endpoint cannot make the change, by a unit test of the adapter over a recorded API
response (`tests/drift/test_attack_shapes.py`), with the reason.

Address patterns: `*` matches anything; `[` and `"` are literal.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _drift(attack: Attack) -> str:
    if attack.kind is None:
        return "not seen"
    return f"{attack.kind.value} `{_cell(attack.address)}`" + (" **critical**" if attack.critical else "")


def _local(attack: Attack) -> str:
    if attack.local is None:
        return "e2e scenario"
    return f"untested locally: {_cell(attack.local)}"


def summary() -> str:
    drift = [a for a in ATTACKS if a.kind is not None]
    gate = [a for a in ATTACKS if a.mutation]
    untested = [a for a in ATTACKS if a.local is not None]
    reasons = "; ".join(f"`{a.id}` ({a.local})" for a in untested)
    return (
        f"**{len(ATTACKS)} entries listed, {len(drift)} caught by drift "
        f"({sum(a.critical for a in drift)} critical), {len(gate)} caught by the gate, "
        f"{len(untested)} untested locally**" + (f": {reasons}." if untested else ".")
    )


def render() -> str:
    lines = [INTRO, summary(), ""]
    group = None
    for attack in ATTACKS:
        if attack.group != group:
            group = attack.group
            lines += ["", f"## {group[0].upper()}{group[1:]}", ""]
            lines += [
                "| id | invariant | AWS action | target | drift | gate | local |",
                "|---|---|---|---|---|---|---|",
            ]
        lines.append(
            f"| `{attack.id}` | {attack.invariant or 'none'} | {_cell(attack.action)} | {_cell(attack.target)} | "
            f"{_drift(attack)} | {f'`{attack.mutation}`' if attack.mutation else '-'} | {_local(attack)} |"
        )
    uncovered = [a for a in ATTACKS if a.kind is not None and a.invariant is None]
    if uncovered:
        lines += [
            "",
            "## Reported, never critical: no invariant covers these",
            "",
            "Drift reports each of these as a warning (exit 1 with `--fail-on any`). Some are harmless (memory, tags,",
            "a description); others widen who can reach the lake's data or code (a function URL, a foreign invoke",
            "permission, a KMS grant, a log subscription, a queue policy) and would be critical only if "
            "`invariants.md` gained an invariant for them:",
            "",
        ]
        lines += [f"- `{a.id}`: {a.action}" for a in uncovered]
    lenient = [a for a in ATTACKS if a.moto]
    if lenient:
        lines += ["", "## Where the local endpoint differs from AWS", ""]
        lines += [f"- `{a.id}`: {a.moto}" for a in lenient]
    unseen = [a for a in ATTACKS if a.kind is None]
    if unseen:
        lines += ["", "## What drift cannot see", ""]
        lines += [f"- `{a.id}` ({a.action}): {a.seen}" for a in unseen]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drift.attack_docs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", type=Path, metavar="PATH", help="exit 1 if PATH differs from the generated page")
    return emit(render(), parser.parse_args(argv).check, "drift.attack_docs")


if __name__ == "__main__":
    sys.exit(main())
