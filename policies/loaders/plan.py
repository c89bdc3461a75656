"""``terraform show -json`` plan -> the resource model.

Resources come from ``planned_values`` (modules via ``child_modules``, ``count``/``for_each`` instances as
separate entries) and data sources read during plan from ``prior_state``. A value the plan marks in
``after_unknown`` becomes :class:`Unknown` naming the references the ``configuration`` gives for it, so a
check that needs it fails closed and says what it was waiting for.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from policies.errors import PolicyInputError
from policies.iam.document import render_policy_document
from policies.loaders.derived import fill_derived
from policies.model import Model, Resource, Unknown

SUPPORTED_MAJOR = "1"


def validate_plan(plan: Any, where: str = "plan") -> None:
    if not isinstance(plan, dict):
        raise PolicyInputError(f"{where}: not a Terraform plan JSON (top level is not an object)")
    version = plan.get("format_version")
    if version is None or ("planned_values" not in plan and "resource_changes" not in plan):
        raise PolicyInputError(
            f"{where}: not a Terraform plan JSON (no format_version/planned_values); produce it with `terraform show -json tfplan`"
        )
    if str(version).split(".")[0] != SUPPORTED_MAJOR:
        raise PolicyInputError(f"{where}: unsupported plan format_version {version!r} (supported: {SUPPORTED_MAJOR}.x)")


def _walk_modules(module: dict | None):
    if not module:
        return
    yield from module.get("resources", []) or []
    for child in module.get("child_modules", []) or []:
        yield from _walk_modules(child)


_INDEX_RE = re.compile(r"\[[^\]]*\]")


def _config_for(configuration: dict, module_address: str, resource_address: str) -> dict | None:
    """The configuration block of a resource instance (module instance keys dropped)."""
    module = configuration.get("root_module", {})
    if module_address:
        for part in _INDEX_RE.sub("", module_address).split("."):
            if part == "module":
                continue
            module = (module.get("module_calls", {}).get(part) or {}).get("module", {})
    local = resource_address[len(module_address) + 1 :] if module_address else resource_address
    local = _INDEX_RE.sub("", local)
    for r in module.get("resources", []) or []:
        if r.get("address") == local:
            return r
    return None


def _refs(expr: Any, module_address: str) -> tuple[str, ...]:
    if not isinstance(expr, dict):
        return ()
    refs = expr.get("references") or []
    prefix = f"{module_address}." if module_address else ""
    return tuple(prefix + r for r in refs if not r.startswith(("var.", "local.", "each.", "count.")))


def apply_unknown(values: Any, unknown: Any, expr: Any, address: str, path: str, module_address: str) -> Any:
    """Replace every value ``after_unknown`` marks with an Unknown carrying the configuration's references."""
    if unknown is True:
        refs = _refs(expr, module_address)
        if not refs and isinstance(expr, dict):
            refs = (f"{address}.{path}",)
        return Unknown(f"{address}.{path} is known only after apply", refs or (f"{address}.{path}",))
    if isinstance(unknown, dict):
        values = dict(values or {}) if not isinstance(values, dict) else values
        for key, sub in unknown.items():
            sub_expr = expr.get(key) if isinstance(expr, dict) else None
            if isinstance(sub_expr, list):
                sub_expr = sub_expr[0] if sub_expr else None
            values[key] = apply_unknown(
                values.get(key), sub, sub_expr, address, f"{path}.{key}" if path else key, module_address
            )
        return values
    if isinstance(unknown, list):
        values = list(values or [])
        while len(values) < len(unknown):
            values.append(None)
        expr_item = expr if isinstance(expr, dict) else None
        for i, sub in enumerate(unknown):
            values[i] = apply_unknown(values[i], sub, expr_item, address, f"{path}[{i}]", module_address)
        return values
    return values


def load_plan(plan: dict, where: str = "plan") -> Model:
    validate_plan(plan, where)
    changes = {rc["address"]: rc for rc in plan.get("resource_changes", []) or []}
    configuration = plan.get("configuration") or {}
    seen: set[str] = set()
    resources: list[Resource] = []
    sources = [(r, True) for r in _walk_modules((plan.get("planned_values") or {}).get("root_module"))] + [
        (r, False)
        for r in _walk_modules(((plan.get("prior_state") or {}).get("values") or {}).get("root_module"))
        if r.get("mode") == "data"
    ]
    for raw, _planned in sources:
        address = raw["address"]
        if address in seen:
            continue
        seen.add(address)
        module_address = address[: -len(raw_local(raw))].rstrip(".") if raw_local(raw) != address else ""
        values = copy.deepcopy(raw.get("values") or {})  # never modify the caller's plan
        change = changes.get(address)
        if change and change.get("change", {}).get("after_unknown"):
            config = _config_for(configuration, module_address, address)
            expressions = (config or {}).get("expressions") or {}
            after_unknown = dict(change["change"]["after_unknown"])
            if config is not None:
                # Unknown and not set by the configuration: computed by the provider (arn, id, managed_policy_arns
                # of a role ...); no invariant may rest on it before apply, so it is left out rather than guessed.
                for key in [k for k, v in after_unknown.items() if v is True and k not in expressions]:
                    del after_unknown[key]
                    values.pop(key, None)
            values = apply_unknown(values, after_unknown, expressions, address, "", module_address)
        fill_derived(raw["type"], values)
        if raw["type"] == "aws_iam_policy_document" and isinstance(values.get("json"), Unknown | type(None)):
            rendered = render_policy_document({k: v for k, v in values.items() if k != "json"})
            values["json"] = rendered if not isinstance(rendered, Unknown) else values.get("json") or rendered
        resources.append(
            Resource(
                address=address,
                type=raw["type"],
                name=raw["name"],
                values=values,
                mode=raw.get("mode", "managed"),
                module=module_address,
                index=raw.get("index"),
                source=f"{where}: {address}",
            )
        )
    return Model(resources, origin="plan", settings={"format_version": plan.get("format_version"), "undecidable": []})


def raw_local(raw: dict) -> str:
    local = f"{'data.' if raw.get('mode') == 'data' else ''}{raw['type']}.{raw['name']}"
    index = raw.get("index")
    if index is not None:
        local += f"[{index}]" if isinstance(index, int) else f'["{index}"]'
    return local
