"""The policy gate's Python entry points: one model, every check, a list of findings.

``check_hcl`` reads a Terraform root (and the modules it calls), ``check_plan`` a ``terraform show -json``
document, ``check_state`` a tfstate v4 document (the drift checker's reconstructed live state). All three
produce the same :class:`~policies.model.Model` and run the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from policies.checks import all_checks
from policies.context import Context, Options
from policies.findings import Finding
from policies.loaders.hcl import load_hcl
from policies.loaders.plan import load_plan
from policies.loaders.state import load_state
from policies.model import Model

UNDECIDABLE_ID = "GATE-UNDECIDABLE"


def _options(opts: dict[str, Any]) -> Options:
    known = {k: v for k, v in opts.items() if k in Options.__dataclass_fields__}
    unknown = set(opts) - set(known) - {"only", "variables"}
    if unknown:
        raise TypeError(f"unknown options {sorted(unknown)}")
    for key in ("contracts_dir", "artifact", "handler_source"):
        if known.get(key) is not None:
            known[key] = Path(known[key])
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


def check_hcl(infra_dir: Path, variables: dict[str, Any] | None = None, **opts: Any) -> list[Finding]:
    return check_model(load_hcl(Path(infra_dir), variables), **opts)


def check_plan(plan: dict, **opts: Any) -> list[Finding]:
    return check_model(load_plan(plan), **opts)


def check_state(state: dict, **opts: Any) -> list[Finding]:
    return check_model(load_state(state), **opts)
