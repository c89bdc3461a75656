"""Fill what a plan leaves unknown from the HCL the plan was made from (like checkov's plan enrichment).

``terraform plan`` marks computed attributes unknown even when the provider fixes them from the arguments
(an S3 bucket's ``id`` is its name), and every value derived from them inherits the unknown. The HCL loader
evaluates the same configuration with the plan's own variable values and derives those attributes, so for
each plan resource attribute that is unknown:

- the HCL value replaces it when the configuration sets the attribute (an Unknown from HCL keeps the more
  precise reason and references);
- it is dropped when the configuration does not set it (a provider-computed attribute such as ``arn`` or
  ``managed_policy_arns`` that no check may rely on before apply).

Known plan values always win. A value unknown in both stays :class:`Unknown`, so checks still fail closed.
"""

from __future__ import annotations

from policies.model import Model, find_unknown


def plan_variables(plan: dict) -> dict:
    return {k: v.get("value") for k, v in (plan.get("variables") or {}).items() if isinstance(v, dict)}


def enrich(plan_model: Model, hcl_model: Model) -> Model:
    by_address = {r.address: r for r in hcl_model.resources}
    enriched = 0
    for r in plan_model.resources:
        source = by_address.get(r.address)
        if source is None:
            continue
        for key in list(r.values):
            if find_unknown(r.values[key]) is None:
                continue
            if key in source.values:
                r.values[key] = source.values[key]
            else:
                del r.values[key]
            enriched += 1
        if r.source.startswith("plan") and source.source:
            r.source = source.source
    plan_model.settings["enriched_from"] = hcl_model.settings.get("root")
    plan_model.settings["enriched_values"] = enriched
    return plan_model
