"""Several inputs of one lake (the HCL, plans or states of its layers) -> one model of the whole lake.

The lake is four Terraform roots (:mod:`lake.layers`), and its invariants cross them: the crawler role is in
foundation and its targets in catalog. Each layer is loaded on its own (HCL, plan or state), then the models are
concatenated with each resource tagged with its layer, so every check judges the whole lake and a finding can
name the layer that breaks it. Addresses stay unique: every layer's resources sit under ``module.<layer>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lake.layers import LAYERS, SINGLE, is_layered, layer_of, layer_roots
from policies.errors import PolicyInputError
from policies.loaders.hcl import load_hcl, parse_module
from policies.model import Model


def combine(models: Mapping[str, Model]) -> Model:
    """One model of every layer's resources (``models``: layer -> model; layer "" for an unsplit root)."""
    if len(models) == 1:
        ((layer, model),) = models.items()
        _tag(model, layer)
        model.settings["layers"] = {layer: model.origin}
        return model
    resources = []
    seen: dict[str, str] = {}
    settings: dict[str, Any] = {"undecidable": [], "layers": {}}
    for layer, model in models.items():
        _tag(model, layer)
        for r in model.resources:
            if r.address in seen and r.mode == "managed":
                raise PolicyInputError(
                    f"{r.address}: given twice ({seen[r.address] or 'root'} and {layer or 'root'}); each layer's plan or state once"
                )
            seen[r.address] = layer
            resources.append(r)
        settings["undecidable"] += model.settings.get("undecidable", [])
        settings["layers"][layer] = model.origin
        for key, value in model.settings.items():
            if key not in settings and key != "__index__":
                settings[key] = value
    origins = sorted({m.origin for m in models.values()})
    first = next(iter(models.values()))
    return Model(resources, "+".join(origins), first.contracts_dir, first.artifact_dir, first.source_dir, settings)


def missing_layers(present: Any) -> list[str]:
    """The layers a lake of layered inputs lacks (``present``: the layers given); [] for an unsplit root."""
    given = set(present)
    if not given & set(LAYERS):
        return []
    return [layer for layer in LAYERS if layer not in given]


def _tag(model: Model, layer: str) -> None:
    for r in model.resources:
        r.layer = layer_of(r.address) or layer


ENV_TFVARS = "lake.tfvars"  # an environment's values, shared by its layer roots (-var-file=../lake.tfvars)


def load_env_hcl(env_dir: Path, variables: Mapping[str, Any] | None = None) -> Model:
    """The HCL of an environment: a layered one (``<env>/<layer>/``) as one model of its layers, each read with the
    environment's ``lake.tfvars`` when there is one (as the workflows pass it), or one root."""
    env_dir = Path(env_dir)
    if not is_layered(env_dir):
        return load_hcl(env_dir, dict(variables or {}))
    shared = tuple(p for p in [env_dir / ENV_TFVARS] if p.is_file())
    return combine(
        {layer: load_hcl(root, dict(variables or {}), shared) for layer, root in layer_roots(env_dir).items()}
    )


def plan_layer(plan: dict) -> str:
    """The layer a plan was made from: the one ``module.<layer>`` its configuration calls (SINGLE if none)."""
    calls = set(_root_module(plan).get("module_calls") or {})
    layers = calls & set(LAYERS)
    return next(iter(layers)) if len(layers) == 1 else SINGLE


def plan_root(plan: dict, env_dir: Path) -> Path:
    """The root a plan of ``env_dir`` was made from: its layer's root in a layered environment, else ``env_dir``."""
    layer = plan_layer(plan)
    return env_dir / layer if layer and is_layered(env_dir) else env_dir


def plan_env(plan: dict, infra_dir: Path, where: str = "plan") -> Path:
    """The environment of ``infra_dir/envs/`` a plan was made from: the one whose root declares exactly the plan's
    variables (``envs/local`` declares the endpoint, ``envs/aws`` the account and state settings), so an
    ``envs/aws`` plan is never read with ``envs/local``'s HCL. Without ``envs/``, ``infra_dir`` itself."""
    envs_dir = Path(infra_dir) / "envs"
    if not envs_dir.is_dir():
        return Path(infra_dir)
    declared = set(_root_module(plan).get("variables") or {})
    envs = sorted(p for p in envs_dir.iterdir() if p.is_dir())
    matches = [env for env in envs if set(parse_module(plan_root(plan, env)).variables) == declared]
    if len(matches) != 1:
        names = ", ".join(env.name for env in envs)
        found = "none" if not matches else "more than one"
        raise PolicyInputError(
            f"{where}: {found} of the environments in {envs_dir} ({names}) declares exactly this plan's variables, "
            "so the HCL it was made from is unknown; pass --infra <the environment or root it was made from>, or "
            "--no-enrich"
        )
    return matches[0]


def _root_module(plan: dict) -> dict:
    """The plan's ``configuration.root_module`` (empty when the plan carries no configuration)."""
    return (plan.get("configuration") or {}).get("root_module") or {}
