"""The registry: every module in this package that defines ``CHECK`` is one invariant check.

Adding an invariant is adding one module here; nothing else changes. Ids are the ones in
``docs/invariants.md`` (generated from this registry by ``lake policy docs``).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from policies.checks.base import Check

GROUP_ORDER = (
    "Raw is immutable and replayable",
    "Each service stays in its lane",
    "Least privilege",
    "Enough privilege",
    "Security baseline",
    "Contracts hold end to end",
)


@cache
def all_checks() -> tuple[Check, ...]:
    found: list[Check] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        check = getattr(module, "CHECK", None)
        if isinstance(check, Check):
            found.append(check)
    ids = [c.id for c in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuntimeError(f"duplicate check ids: {sorted(duplicates)}")
    return tuple(sorted(found, key=lambda c: (GROUP_ORDER.index(c.group) if c.group in GROUP_ORDER else 99, c.id)))


def get_check(check_id: str) -> Check:
    for c in all_checks():
        if c.id == check_id:
            return c
    raise KeyError(check_id)
