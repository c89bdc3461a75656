"""The lake's four Terraform layers, each its own root and state: what they are, their order, which layer an
address belongs to. Pure: no Terraform runs here.

An environment (``infra/envs/<env>``) holds one root per layer (``<env>/<layer>/``), each calling the layer
module ``infra/layers/<layer>`` as ``module.<layer>``, so every address names its layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lake.errors import LakeError

LAYERS: tuple[str, ...] = ("foundation", "ingestion", "catalog", "query")
# Layers whose resources another layer reads at plan time (data sources): the query layer looks up the lake key
# by its alias, because Athena takes a key ARN, never an alias. Every other cross-layer value is a name.
PLAN_READS: dict[str, tuple[str, ...]] = {"query": ("foundation",)}
SINGLE = ""  # the layer name of a root that is not split (one root, one state)
# What each layer needs to exist before it is applied (the resources it names). Ingestion, catalog and query need
# only foundation, so after foundation they are applied side by side, and destroyed side by side before it.
NEEDS: dict[str, tuple[str, ...]] = {"ingestion": ("foundation",), "catalog": ("foundation",), "query": ("foundation",)}


class LayerError(LakeError):
    """A layer name or layered environment is not what the harness expects."""


def layer_of(address: str) -> str | None:
    """The layer a resource address belongs to (``module.<layer>.…``), or None for an address outside any layer."""
    if not address.startswith("module."):
        return None
    name = address[len("module.") :].split(".", 1)[0].split("[", 1)[0]
    return name if name in LAYERS else None


class ForeignLayer(LayerError):
    """A state given as one layer manages resources of another: ``found`` maps each other layer to one of its
    addresses. Callers name the state in their own words."""

    def __init__(self, label: str, found: dict[str, str]) -> None:
        self.label, self.found = label, found
        layer, address = next(iter(found.items()))
        super().__init__(f"given as layer {label} but it manages {layer} resources ({address})")


def state_layer(addresses: Iterable[str], label: str | None = None) -> str:
    """The layer a state belongs to: ``label`` when given, else the one layer its addresses name, else SINGLE
    (an unsplit state, or one naming several layers: a half-done migration). An address outside every layer
    module (a resource written beside the module call in a layer's root) belongs to its state's layer.
    A ``label`` that is no layer is a :class:`LayerError`; a labelled state naming another layer is
    :class:`ForeignLayer`."""
    named: dict[str, str] = {}
    for address in addresses:
        layer = layer_of(address)
        if layer is not None:
            named.setdefault(layer, address)
    if label is None:
        return next(iter(named)) if len(named) == 1 else SINGLE
    if label not in LAYERS:
        raise LayerError(f"unknown layer {label!r} (the layers are {', '.join(LAYERS)})")
    foreign = {layer: address for layer, address in named.items() if layer != label}
    if foreign:
        raise ForeignLayer(label, foreign)
    return label


def ordered(layers: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """``layers`` in apply order (unknown names are an error naming them)."""
    unknown = sorted(set(layers) - set(LAYERS) - {SINGLE})
    if unknown:
        raise LayerError(f"unknown layer(s) {', '.join(unknown)} (the layers are {', '.join(LAYERS)})")
    return [name for name in (SINGLE, *LAYERS) if name in layers]


def waves(layers: list[str] | tuple[str, ...]) -> list[list[str]]:
    """``layers`` in apply waves: each wave's layers need only layers of earlier waves (:data:`NEEDS`), so a
    wave may be applied concurrently; destroy walks the waves in reverse."""
    remaining = ordered(layers)
    done: set[str] = set()
    out: list[list[str]] = []
    while remaining:
        wave = [name for name in remaining if all(n in done or n not in remaining for n in NEEDS.get(name, ()))]
        out.append(wave)
        done.update(wave)
        remaining = [name for name in remaining if name not in wave]
    return out


def is_layered(env_dir: Path) -> bool:
    """True when ``env_dir`` holds one root per layer rather than being a root itself."""
    env_dir = Path(env_dir)
    return not any(env_dir.glob("*.tf")) and any((env_dir / name).is_dir() for name in LAYERS)


def layer_roots(env_dir: Path) -> dict[str, Path]:
    """Layer -> root directory, in apply order; a directory that is itself a root is the one layer ``SINGLE``."""
    env_dir = Path(env_dir)
    if any(env_dir.glob("*.tf")):
        return {SINGLE: env_dir}
    roots = {name: env_dir / name for name in LAYERS if any((env_dir / name).glob("*.tf"))}
    missing = [name for name in LAYERS if name not in roots]
    if not roots:
        raise LayerError(f"{env_dir}: neither a Terraform root nor a layered environment ({'/'.join(LAYERS)}/)")
    if missing:
        raise LayerError(f"{env_dir}: layer root(s) missing: {', '.join(missing)}")
    return roots
