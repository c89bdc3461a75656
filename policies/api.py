"""The policy gate's Python entry points: one model, every check, a list of findings.

``check_hcl`` reads a Terraform root (and the modules it calls), ``check_plan`` a ``terraform show -json``
document, ``check_state`` a tfstate v4 document (the drift checker's reconstructed live state). All three
produce the same :class:`~policies.model.Model` and run the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lake.layers import LAYERS, SINGLE, ForeignLayer, LayerError, is_layered, layer_of, state_layer
from lake.workspace import resolve as resolve_workspace
from policies.checks import all_checks
from policies.context import Context, Options
from policies.errors import PolicyInputError
from policies.findings import Finding
from policies.loaders.enrich import enrich, plan_variables
from policies.loaders.hcl import load_hcl
from policies.loaders.layers import combine, load_env_hcl, missing_layers, plan_env, plan_layer, plan_root
from policies.loaders.plan import load_plan
from policies.loaders.state import load_state
from policies.model import Model

UNDECIDABLE_ID = "GATE-UNDECIDABLE"
INCOMPLETE_ID = "GATE-INCOMPLETE"


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
                layer=layer_of(address) or "",
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
    """The Terraform to read: ``infra/`` means its ``envs/local`` (the environment CI plans: its four layer roots),
    else the directory itself (an environment of layer roots, or one root)."""
    infra_dir = Path(infra_dir)
    local = infra_dir / "envs" / "local"
    return local if local.is_dir() else infra_dir


def hcl_model(infra_dir: Path, variables: dict[str, Any] | None = None) -> Model:
    """The lake as the HCL describes it: every layer of the environment as one model."""
    return load_env_hcl(hcl_root(infra_dir), variables)


def check_hcl(infra_dir: Path, variables: dict[str, Any] | None = None, **opts: Any) -> list[Finding]:
    """Check a Terraform environment or root (``infra/`` is read through ``infra/envs/local``)."""
    return check_model(hcl_model(infra_dir, variables), **opts)


def plan_model(plan: dict, infra_dir: Path | None = None, where: str = "plan") -> Model:
    """The plan as a model; with ``infra_dir`` (the environment or root the plan was made from, or ``infra/``,
    whose ``envs/`` is searched for it: :func:`policies.loaders.layers.plan_env`) unknowns are enriched from the HCL
    of the plan's own layer root."""
    model = load_plan(plan, where)
    if infra_dir is not None:
        root = plan_root(plan, plan_env(plan, infra_dir, where))
        if not is_layered(root):
            enrich(model, load_hcl(root, plan_variables(plan)))
    return model


def lake_model(
    plans: Mapping[str, dict] | None = None,
    states: Mapping[str, dict] | None = None,
    infra_dir: Path | None = None,
    state_layers: Mapping[str, str] | None = None,
) -> Model:
    """One model of the lake from plans and states (each keyed by its source, e.g. the file name); each input's
    layer is read from its addresses. ``state_layers`` (source -> layer) labels states: a labelled state must hold
    only that layer's resources, and an empty one stands for that layer (not applied yet)."""
    models: dict[str, Model] = {}
    sources: dict[str, str] = {}
    for where, plan in (plans or {}).items():
        layer = _layer_key(plan_layer(plan), where, sources)
        models[layer] = plan_model(plan, infra_dir, where)
    for where, state in (states or {}).items():
        model = load_state(state, where)
        layer = _layer_key(_state_layer(model, where, (state_layers or {}).get(where)), where, sources)
        models[layer] = model
    if SINGLE in sources and len(sources) > 1:
        raise PolicyInputError(
            f"{sources[SINGLE]}: its resources belong to no one layer ({', '.join(LAYERS)}) while the other inputs "
            "are layers of a split lake; give one input per layer (label a state `--state <layer>=PATH`)"
        )
    return combine(models)


def _layer_key(layer: str, where: str, sources: dict[str, str]) -> str:
    if layer in sources:
        raise PolicyInputError(
            f"{where}: a second input for layer {layer or 'root'} (the first: {sources[layer]}); give each "
            "layer's plan or state once"
        )
    sources[layer] = where
    return layer


def _state_layer(model: Model, where: str, label: str | None = None) -> str:
    """The layer a state holds (:func:`lake.layers.state_layer`), with the error naming the input."""
    try:
        return state_layer((r.address for r in model.resources if r.mode == "managed"), label)
    except ForeignLayer as wrong:
        raise PolicyInputError(
            f"{where}: given as the {label} layer's state, but its resources belong to {', '.join(wrong.found)}"
        ) from None
    except LayerError as wrong:
        raise PolicyInputError(f"{where}: {wrong}") from None


def incomplete(missing: list[str], origin: str = "") -> list[Finding]:
    """One GATE-INCOMPLETE finding per layer of a split lake that is neither planned nor given as state."""
    return [
        Finding(
            INCOMPLETE_ID,
            "high",
            f"module.{layer}",
            f"layer {layer} is neither planned nor given as a state: the invariants cross layers, so none is "
            "judged on part of the lake",
            f"Pass its plan (`--plan {layer}.json`) or its current state from its backend "
            f"(`--state {layer}=s3://<state bucket>/<prefix>/{layer}.tfstate`, or `--state {layer}=PATH`).",
            origin=origin,
            layer=layer,
        )
        for layer in missing
    ]


def check_plan(plan: dict, infra_dir: Path | None = None, **opts: Any) -> list[Finding]:
    """Check a ``terraform show -json`` plan; pass ``infra_dir`` to resolve plan-time unknowns from the HCL."""
    return check_model(plan_model(plan, infra_dir), **opts)


def check_lake(
    plans: Mapping[str, dict] | None = None,
    states: Mapping[str, dict] | None = None,
    infra_dir: Path | None = None,
    state_layers: Mapping[str, str] | None = None,
    **opts: Any,
) -> list[Finding]:
    """Check the whole lake from several layers' plans and states (see :func:`lake_model`). A split lake must be
    whole: a layer neither planned nor given as state is a GATE-INCOMPLETE finding (fail closed), and the checks
    are not run on the part given, since every invariant is judged on the whole lake."""
    model = lake_model(plans, states, infra_dir, state_layers)
    missing = missing_layers(model.settings.get("layers", {}))
    if missing:
        return incomplete(missing, model.origin)
    return check_model(model, **opts)


def check_state(state: dict, **opts: Any) -> list[Finding]:
    return check_model(load_state(state), **opts)
