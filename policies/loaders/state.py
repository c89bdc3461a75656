"""Terraform state (tfstate v4, as ``terraform state pull`` prints it) -> the resource model.

Used by the drift checker to re-judge live AWS (reconstructed into a state document) against the invariants.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from policies.errors import PolicyInputError
from policies.loaders.derived import fill_derived
from policies.model import Model, Resource


def load_state(state: Any, where: str = "state") -> Model:
    if not isinstance(state, dict) or "resources" not in state:
        raise PolicyInputError(f"{where}: not a Terraform state document (no 'resources')")
    if state.get("version", 4) != 4:
        raise PolicyInputError(f"{where}: unsupported state version {state.get('version')!r} (supported: 4)")
    resources: list[Resource] = []
    for r in state["resources"] or []:
        module = r.get("module", "")
        mode = r.get("mode", "managed")
        local = f"{'data.' if mode == 'data' else ''}{r['type']}.{r['name']}"
        for inst in r.get("instances", []) or []:
            key = inst.get("index_key")
            address = f"{module}.{local}" if module else local
            if key is not None:
                address += f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"
            values = copy.deepcopy(inst.get("attributes") or {})
            fill_derived(r["type"], values)
            resources.append(
                Resource(
                    address,
                    r["type"],
                    r["name"],
                    values,
                    mode=mode,
                    module=module,
                    index=key,
                    source=f"{where}: {address}",
                )
            )
    return Model(resources, origin="state", settings={"undecidable": []})
