"""The adapter registry: one module per Terraform resource type, discovered at import.

Adding a resource type is one new file in this package that defines a subclass of :class:`Adapter` decorated with
:func:`register`. Nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil

from drift.adapters.base import Adapter, Scope

_REGISTRY: dict[str, Adapter] = {}
_LOADED = False


def register(cls: type[Adapter]) -> type[Adapter]:
    if cls.type in _REGISTRY:
        raise ValueError(f"two drift adapters for {cls.type}")
    _REGISTRY[cls.type] = cls()
    return cls


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("aws_"):
            importlib.import_module(f"{__name__}.{module.name}")
    _LOADED = True


def adapters() -> dict[str, Adapter]:
    """Every registered adapter by resource type, sorted by type."""
    _load()
    return dict(sorted(_REGISTRY.items()))


def adapter_for(resource_type: str) -> Adapter | None:
    return adapters().get(resource_type)


__all__ = ["Adapter", "Scope", "adapter_for", "adapters", "register"]
