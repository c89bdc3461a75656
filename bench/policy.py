"""Benchmark the policy gate: wall time on the project's plans and on synthetic plans of 1k / 5k / 10k resources,
beside checkov on the same plans in the same run.

    python bench/policy.py [--plans reports/plans] [--sizes 1000 5000 10000] [--checkov PATH] [--json OUT]

The project's plans are ``reports/plans/<layer>.json`` (the four layers; ``lake policy plan --output
reports/plans`` writes them) when present, otherwise they are made here (moto on loopback + ``terraform plan``;
needs ``lake build`` first). The project row times the gate on the four plans as one lake (``check_lake``, each
layer enriched from its HCL). A synthetic plan of N resources is the four plans merged into one lake's plan,
replicated into N/<lake size> lakes, each under its own module address and name prefix, so every role, bucket,
policy and crawler is distinct. Times are wall-clock medians of ``--repeat`` runs; the verdicts are ratios
measured in this run (target: 10k resources under 10 s; growth per resource roughly constant).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lake.layers import LAYERS  # noqa: E402
from policies.api import check_lake, check_model, plan_model  # noqa: E402
from policies.model import Unknown  # noqa: E402

PREFIX = "lake-local"


def project_plans(directory: Path | None) -> dict[str, dict]:
    """Layer -> plan JSON of the project's four layers."""
    directory = directory or REPO / "reports" / "plans"
    paths = {layer: directory / f"{layer}.json" for layer in LAYERS}
    if all(p.is_file() for p in paths.values()):
        return {layer: json.loads(p.read_text(encoding="utf-8")) for layer, p in paths.items()}
    from policies.planner import artifacts, plan_local

    print(f"{directory}/<layer>.json not found: planning infra/envs/local against moto (needs `lake build`)...")
    return plan_local(REPO / "infra" / "envs" / "local", artifacts(REPO / "dist"))


def merged_plan(plans: dict[str, dict]) -> dict:
    """The layers' plans as one plan document (their addresses are disjoint: ``module.<layer>.…``)."""
    first = next(iter(plans.values()))
    out = {
        k: copy.deepcopy(v)
        for k, v in first.items()
        if k not in ("planned_values", "resource_changes", "prior_state", "configuration")
    }
    out["planned_values"] = {"root_module": {"resources": [], "child_modules": []}}
    out["resource_changes"] = []
    out["prior_state"] = {
        "format_version": first.get("format_version"),
        "values": {"root_module": {"resources": [], "child_modules": []}},
    }
    out["configuration"] = {"root_module": {"module_calls": {}}}
    for plan in plans.values():
        root = plan["planned_values"]["root_module"]
        out["planned_values"]["root_module"]["child_modules"] += copy.deepcopy(root.get("child_modules", []))
        out["resource_changes"] += copy.deepcopy(plan["resource_changes"])
        prior = ((plan.get("prior_state") or {}).get("values") or {}).get("root_module") or {}
        out["prior_state"]["values"]["root_module"]["resources"] += copy.deepcopy(prior.get("resources", []))
        out["prior_state"]["values"]["root_module"]["child_modules"] += copy.deepcopy(prior.get("child_modules", []))
        calls = (plan.get("configuration") or {}).get("root_module", {}).get("module_calls", {})
        out["configuration"]["root_module"]["module_calls"].update(copy.deepcopy(calls))
    return out


def _plain(value):
    """Model values back to plan JSON: an Unknown becomes absent (the plan marks it in after_unknown)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not isinstance(v, Unknown)}
    if isinstance(value, list):
        return [None if isinstance(v, Unknown) else _plain(v) for v in value]
    return None if isinstance(value, Unknown) else value


def resolved_plan(plan: dict, infra: Path) -> dict:
    """The project's plan with what the HCL decides filled in (as a plan whose policies are all known at plan
    time looks), so the synthetic plans measure checking, not a flood of fail-closed findings."""
    model = plan_model(plan, infra)
    values = {r.address: r.values for r in model.resources}
    out = copy.deepcopy(plan)

    def walk(module):
        for r in module.get("resources", []):
            if r["address"] in values:
                r["values"] = _plain(values[r["address"]])
        for child in module.get("child_modules", []):
            walk(child)

    walk(out["planned_values"]["root_module"])
    for rc in out["resource_changes"]:
        known = values.get(rc["address"], {})
        after_unknown = rc.get("change", {}).get("after_unknown") or {}
        rc.setdefault("change", {})["after_unknown"] = {
            k: v for k, v in after_unknown.items() if k not in known or isinstance(known[k], Unknown)
        }
    return out


def _rename(node, i: int):
    text = json.dumps(node)
    text = text.replace(PREFIX, f"lake-{i:05d}").replace(PREFIX.replace("-", "_"), f"lake_{i:05d}")
    for layer in LAYERS:
        text = text.replace(f'"module.{layer}', f'"module.lake{i}_{layer}')
    return json.loads(text)


def synthetic_plan(plan: dict, size: int) -> dict:
    """The project's plan replicated into enough distinct lakes to hold ``size`` managed resources."""
    per_lake = sum(1 for rc in plan["resource_changes"] if rc.get("mode", "managed") == "managed")
    copies = max(1, round(size / per_lake))
    out = copy.deepcopy(
        {
            k: v
            for k, v in plan.items()
            if k not in ("planned_values", "resource_changes", "prior_state", "configuration")
        }
    )
    root = plan["planned_values"]["root_module"]
    out["planned_values"] = {"root_module": {"resources": [], "child_modules": []}}
    out["resource_changes"] = []
    prior_children = (((plan.get("prior_state") or {}).get("values") or {}).get("root_module") or {}).get(
        "child_modules", []
    )
    out["prior_state"] = {
        "format_version": plan.get("format_version"),
        "values": {"root_module": {"child_modules": []}},
    }
    calls = (plan.get("configuration") or {}).get("root_module", {}).get("module_calls", {})
    out["configuration"] = {"root_module": {"module_calls": {}}}
    for i in range(copies):
        out["planned_values"]["root_module"]["child_modules"] += _rename(root.get("child_modules", []), i)
        out["resource_changes"] += _rename(plan["resource_changes"], i)
        out["prior_state"]["values"]["root_module"]["child_modules"] += _rename(prior_children, i)
        for name, call in calls.items():
            out["configuration"]["root_module"]["module_calls"][f"lake{i}_{name}"] = call  # as _rename names it
    return out


def count_resources(plan: dict) -> int:
    return sum(1 for rc in plan["resource_changes"] if rc.get("mode", "managed") == "managed")


def time_gate(plan: dict, infra: Path | None, repeat: int) -> tuple[float, int]:
    times, findings = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        findings = len(check_model(plan_model(plan, infra)))
        times.append(time.perf_counter() - started)
    return statistics.median(times), findings


def time_lake(plans: dict[str, dict], infra: Path, repeat: int) -> tuple[float, int]:
    """The gate on the four layers' plans as one lake, each enriched from its layer's HCL."""
    times, findings = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        findings = len(check_lake({f"{layer}.json": p for layer, p in plans.items()}, None, infra))
        times.append(time.perf_counter() - started)
    return statistics.median(times), findings


def find_checkov(explicit: str | None) -> str | None:
    for candidate in (explicit, str(REPO / ".venv-checkov" / "bin" / "checkov"), shutil.which("checkov")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def time_checkov(checkov: str, plan: dict, timeout: float) -> tuple[float | None, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(json.dumps(plan), encoding="utf-8")
        cmd = [
            checkov,
            "--file",
            str(path),
            "--framework",
            "terraform_plan",
            "--skip-download",
            "--quiet",
            "--compact",
            "-o",
            "json",
        ]
        config = REPO / "policies" / "checkov" / "config.yaml"
        if config.is_file():
            cmd += ["--config-file", str(config)]
        started = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {timeout:.0f}s"
        elapsed = time.perf_counter() - started
        if proc.returncode not in (0, 1):
            return None, f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:] or ''}"
        return elapsed, "ok"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=Path, help="directory of <layer>.json plans (default reports/plans)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--checkov", help="checkov executable (default .venv-checkov/bin/checkov or on PATH)")
    parser.add_argument("--checkov-timeout", type=float, default=600)
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)

    plans = project_plans(args.plans)
    plan = merged_plan(plans)
    rows = []
    base_time, base_findings = time_lake(plans, REPO / "infra", args.repeat)
    rows.append(
        {
            "plan": "project",
            "resources": count_resources(plan),
            "gate_s": base_time,
            "findings": base_findings,
            "plan_doc": plan,
        }
    )
    resolved = merged_plan({layer: resolved_plan(p, REPO / "infra") for layer, p in plans.items()})
    for size in args.sizes:
        synth = synthetic_plan(resolved, size)
        t, n = time_gate(synth, None, args.repeat)
        rows.append(
            {
                "plan": f"synthetic-{size}",
                "resources": count_resources(synth),
                "gate_s": t,
                "findings": n,
                "plan_doc": synth,
            }
        )

    checkov = None if args.no_checkov else find_checkov(args.checkov)
    for row in rows:
        if checkov is None:
            row["checkov_s"], row["checkov_note"] = (
                None,
                "checkov not found (.venv-checkov/bin/checkov or PATH)" if not args.no_checkov else "skipped",
            )
        else:
            row["checkov_s"], row["checkov_note"] = time_checkov(checkov, row["plan_doc"], args.checkov_timeout)

    print(f"{'plan':<18}{'resources':>10}{'gate s':>10}{'us/res':>9}{'findings':>10}{'checkov s':>11}  x checkov")
    for row in rows:
        per = row["gate_s"] / row["resources"] * 1e6
        ck = f"{row['checkov_s']:.2f}" if row["checkov_s"] is not None else "-"
        ratio = f"{row['checkov_s'] / row['gate_s']:.0f}x faster" if row["checkov_s"] else row["checkov_note"]
        print(
            f"{row['plan']:<18}{row['resources']:>10}{row['gate_s']:>10.2f}{per:>9.0f}{row['findings']:>10}{ck:>11}  {ratio}"
        )
    synth = [r for r in rows if r["plan"].startswith("synthetic")]
    verdict = 0
    if len(synth) >= 2:
        small, big = synth[0], synth[-1]
        growth = (big["gate_s"] / big["resources"]) / (small["gate_s"] / small["resources"])
        print(f"per-resource time {big['plan']} / {small['plan']}: {growth:.2f} (1.0 = linear)")
        largest = max(synth, key=lambda r: r["resources"])
        ok = largest["gate_s"] < 10
        print(f"{largest['plan']}: {largest['gate_s']:.2f}s {'<' if ok else '>='} 10s target")
        verdict = 0 if ok else 1
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([{k: v for k, v in r.items() if k != "plan_doc"} for r in rows], indent=2))
    return verdict


if __name__ == "__main__":
    sys.exit(main())
