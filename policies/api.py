"""The policy gate's Python entry points: one model, every check, a list of findings.

``check_hcl`` reads a Terraform root (and the modules it calls), ``check_plan`` a ``terraform show -json``
document, ``check_state`` a tfstate v4 document (the drift checker's reconstructed live state). All three
produce the same :class:`~policies.model.Model` and run the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lake.workspace import resolve as resolve_workspace
from policies.checks import all_checks
from policies.context import Context, Options
from policies.findings import Finding
from policies.loaders.enrich import enrich, plan_variables
from policies.loaders.hcl import load_hcl
from policies.loaders.plan import load_plan
from policies.loaders.state import load_state
from policies.model import Model

UNDECIDABLE_ID = "GATE-UNDECIDABLE"


def _options(opts: dict[str, Any]) -> Options:
    """Options from keyword arguments; the checkout's paths not given come from ``workspace`` (a
    :class:`lake.workspace.Workspace`, default: the one seen from the working directory)."""
    known = {k: v for k, v in opts.items() if k in Options.__dataclass_fields__}
    unknown = set(opts) - set(known) - {"only", "variables", "workspace"}
    if unknown:
        raise TypeError(f"unknown options {sorted(unknown)}")
    ws = opts.get("workspace") or resolve_workspace()
    defaults = {"contracts_dir": ws.contracts, "artifact": ws.handler_zip, "handler_source": ws.handler.parent}
    for key, default in defaults.items():
        known[key] = Path(known[key]) if known.get(key) is not None else default
    return Options(**known)


def check_model(model: Model, only: Iterable[str] | None = None, **opts: Any) -> list[Finding]:
    ctx = Context(model, _options(opts))
    wanted = set(only) if only else None
    findings: list[Finding] = []
    for address, reason in model.settings.get("undecidable", []):
        findings.append(
            Finding(
                UNDECIDABLE_ID,
                "high",
                address,
                f"cannot be expanded: {reason}",
                "Make count/for_each known at plan time.",
                origin=model.origin,
            )
        )
    for check in all_checks():
        if wanted is not None and check.id not in wanted:
            continue
        try:
            findings.extend(check.run(ctx))
        except Exception as exc:  # a check that cannot decide fails closed, naming itself
            findings.append(
                Finding(
                    check.id,
                    check.severity,
                    "<check>",
                    f"check could not be evaluated: {type(exc).__name__}: {exc}",
                    check.fix,
                    origin=model.origin,
                )
            )
    return list(dict.fromkeys(findings))


def hcl_root(infra_dir: Path) -> Path:
    """The Terraform root to read: ``infra/`` means its ``envs/local`` (the root CI plans), else the directory itself."""
    infra_dir = Path(infra_dir)
    local = infra_dir / "envs" / "local"
    return local if local.is_dir() and any(local.glob("*.tf")) else infra_dir


def check_hcl(infra_dir: Path, variables: dict[str, Any] | None = None, **opts: Any) -> list[Finding]:
    """Check a Terraform root (``infra/`` is read through ``infra/envs/local``)."""
    return check_model(load_hcl(hcl_root(infra_dir), variables), **opts)


def plan_model(plan: dict, infra_dir: Path | None = None, where: str = "plan") -> Model:
    """The plan as a model; with ``infra_dir`` (the root the plan was made from) unknowns are enriched from HCL."""
    model = load_plan(plan, where)
    if infra_dir is not None:
        hcl = load_hcl(hcl_root(infra_dir), plan_variables(plan))
        enrich(model, hcl)
    return model


def check_plan(plan: dict, infra_dir: Path | None = None, **opts: Any) -> list[Finding]:
    """Check a ``terraform show -json`` plan; pass ``infra_dir`` to resolve plan-time unknowns from the HCL."""
    return check_model(plan_model(plan, infra_dir), **opts)


def check_state(state: dict, **opts: Any) -> list[Finding]:
    return check_model(load_state(state), **opts)
