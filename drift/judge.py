"""Judge drift against the lake's invariants: the policy checks run on the state rebuilt from live AWS.

A drift is critical when the live model breaks an invariant that the recorded state did not break. Each finding is
judged on its own (the state with only that drift applied), so a critical mark names the drift that causes it; what
only a combination of drifts breaks is attributed to every finding involved.

The checks come from ``policies.api.check_state`` (tfstate v4 document in, findings with ``check_id``,
``severity``, ``address``, ``message`` out). Without it the report says the invariants were not judged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from drift.decide import merge_live
from drift.model import Finding, Kind, ManagedResource, Severity, Unmanaged

PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'
Checker = Callable[[dict], list]
MAX_ISOLATED = 60  # beyond this many findings, judge them together and attribute by address


@dataclass
class Judgement:
    judged: bool
    note: str = ""
    broken: list[str] = field(default_factory=list)  # every "ID address: message" the live model newly breaks
    baseline: int = 0  # invariants the state itself already breaks


def load_checker() -> tuple[Checker | None, str]:
    try:
        from policies.api import check_state
    except ImportError as exc:
        return None, f"invariants not judged: the policy checks are unavailable ({exc})"
    return check_state, ""


def state_document(
    resources: Iterable[ManagedResource], live: dict | None = None, extra: Iterable[tuple[str, Unmanaged]] = ()
) -> dict:
    """A tfstate v4 document of ``resources`` (attributes overlaid with ``live`` readings; deleted ones left out),
    plus unmanaged objects as resources named by the given key."""
    groups: dict[tuple, dict] = {}
    for resource in resources:
        attributes = resource.attributes
        if live is not None and (resource.source, resource.address) in live:
            reading = live[(resource.source, resource.address)]
            if reading is None:
                continue
            attributes = merge_live(resource.attributes, reading)
        key = (resource.source, resource.module, resource.type, resource.name)
        group = groups.setdefault(
            key,
            {
                "mode": "managed",
                **({"module": resource.module} if resource.module else {}),
                "type": resource.type,
                "name": resource.name,
                "provider": PROVIDER,
                "instances": [],
            },
        )
        instance = {"schema_version": 0, "attributes": copy.deepcopy(attributes)}
        if resource.index_key is not None:
            instance["index_key"] = resource.index_key
        group["instances"].append(instance)
    docs = list(groups.values())
    for name, item in extra:
        docs.append(
            {
                "mode": "managed",
                "type": item.type,
                "name": name,
                "provider": PROVIDER,
                "instances": [{"schema_version": 0, "attributes": copy.deepcopy(item.attributes)}],
            }
        )
    return {"version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": "drift-live", "resources": docs}


def _violations(checker: Checker, doc: dict) -> dict[tuple[str, str], str]:
    out = {}
    for finding in checker(doc):
        severity = str(getattr(finding, "severity", "")).lower()
        if severity.endswith(("info", "note")):
            continue
        key = (str(finding.check_id), str(finding.address))
        if key in out:  # several reasons on one address (an S3 target on raw, and no catalog target): keep them all
            if str(finding.message) not in out[key]:
                out[key] += f"; {finding.message}"
        else:
            out[key] = f"{finding.check_id} {finding.address}: {finding.message}"
    return out


def _rename(text: str, names: dict[str, str]) -> str:
    """Violation text with the placeholder addresses of unmanaged objects replaced by their real names."""
    for placeholder, real in names.items():
        text = text.replace(placeholder, real)
    return text


def _unmanaged_name(index: int) -> str:
    return f"drift_unmanaged_{index}"


def judge(
    findings: list[Finding],
    resources: list[ManagedResource],
    live: dict,
    unmanaged: list[Unmanaged],
    checker: Checker | None = None,
) -> Judgement:
    """Mark findings whose drift breaks an invariant as critical (in place) and say what was broken."""
    if checker is None:
        checker, note = load_checker()
        if checker is None:
            return Judgement(judged=False, note=note)
    drift = [f for f in findings if f.kind in (Kind.DELETED, Kind.CHANGED, Kind.UNMANAGED)]
    try:
        baseline = _violations(checker, state_document(resources))
        if not drift:
            return Judgement(judged=True, baseline=len(baseline))
        by_address = {u.address: u for u in unmanaged}
        named = [(_unmanaged_name(i), u) for i, u in enumerate(unmanaged)]
        everything = _violations(checker, state_document(resources, live, named))
    except Exception as exc:  # a crash in the checks must not hide the drift itself
        return Judgement(
            judged=False, note=f"invariants not judged: the policy checks failed ({type(exc).__name__}: {exc})"
        )
    real_names = {f"{u.type}.{name}": u.address for name, u in named}
    new = {k: _rename(v, real_names) for k, v in everything.items() if k not in baseline}
    judgement = Judgement(judged=True, broken=sorted(new.values()), baseline=len(baseline))
    if not new:
        return judgement
    attributed: set[tuple[str, str]] = set()
    if len(drift) <= MAX_ISOLATED:
        names = {u.address: name for name, u in named}
        for finding in drift:
            doc = _only(finding, resources, live, by_address, names)
            hits = {k: new[k] for k in _violations(checker, doc) if k in new}
            if hits:
                _mark(finding, hits.values())
                attributed.update(hits)
    name_to_address = {name: u.address for name, u in named}
    for key, text in new.items():
        if key in attributed:
            continue
        address = key[1]
        for name, real in name_to_address.items():
            if address.endswith(f".{name}"):
                address = real
        related = [f for f in drift if address in (f.address, f.parent)] or drift
        for finding in related:
            _mark(finding, [text])
    return judgement


def _only(
    finding: Finding,
    resources: list[ManagedResource],
    live: dict,
    unmanaged: dict[str, Unmanaged],
    names: dict[str, str],
) -> dict:
    """The state with just this one drift applied."""
    if finding.kind is Kind.UNMANAGED:
        item = unmanaged.get(finding.address)
        return state_document(resources, None, [(names[finding.address], item)] if item else [])
    one = {k: v for k, v in live.items() if k == (finding.source, finding.address)}
    return state_document(resources, one)


def _mark(finding: Finding, texts: Iterable[str]) -> None:
    finding.severity = Severity.CRITICAL
    for text in texts:
        if text not in finding.invariants:
            finding.invariants.append(text)
