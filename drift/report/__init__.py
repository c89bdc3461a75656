"""The drift report: one plain structure (``Report``) and one renderer per output format.

A run over several layers' states is one report: every renderer groups the findings by layer (:meth:`Report.groups`,
in apply order), and the JSON summary counts them per layer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from drift.catalog_health import CatalogHealth
from drift.ignore import Rule
from drift.model import SEVERITY_ORDER, Finding, Kind, Severity
from lake.layers import LAYERS

EXIT_CLEAN, EXIT_DRIFT, EXIT_ERROR = 0, 1, 2
DRIFT_KINDS = (Kind.DELETED, Kind.CHANGED, Kind.UNMANAGED, Kind.CONFLICT)
NO_LAYER = "lake"  # the label of findings no single layer owns (and of an unsplit root's state)


def layer_label(layer: str) -> str:
    return layer or NO_LAYER


@dataclass
class Group:
    """The findings of one layer, with what its state(s) hold and how much of it was read."""

    layer: str
    findings: list[Finding]
    states: list[str]
    resources: int
    checked: int

    @property
    def label(self) -> str:
        return layer_label(self.layer)

    def line(self) -> str:
        drift = [f for f in self.findings if not f.ignored and f.kind in DRIFT_KINDS]
        critical = sum(1 for f in drift if f.severity is Severity.CRITICAL)
        status = f"{len(drift)} drift ({critical} critical)" if drift else "no drift"
        if not self.states and not self.resources:
            return f"{self.label}: {status} | found in the lake's scope, owned by no single layer"
        states = f" | state: {', '.join(self.states)}" if self.states else ""
        return f"{self.label}: {status} | {self.checked}/{self.resources} resources checked{states}"


@dataclass
class Report:
    sources: list[str]
    findings: list[Finding]
    resources: int
    checked: int
    calls: int
    seconds: float
    judged: bool
    judge_note: str = ""
    broken: list[str] = field(default_factory=list)
    baseline_violations: int = 0
    expired_rules: list[Rule] = field(default_factory=list)
    catalog: CatalogHealth | None = None  # not Terraform drift: listed in its own section, never in the exit code
    generated_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    history: object = None  # drift.history.History when run with --previous
    # layer -> {"states": [locations], "resources": n, "checked": n} (drift.check.layer_summary); empty: one state
    layers: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.kind.value, f.address))

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.ignored]

    @property
    def drift(self) -> list[Finding]:
        return [f for f in self.active if f.kind in DRIFT_KINDS]

    @property
    def coverage(self) -> float:
        return 1.0 if not self.resources else self.checked / self.resources

    def counts(self, findings: list[Finding] | None = None) -> dict[str, int]:
        findings = self.findings if findings is None else findings
        active = [f for f in findings if not f.ignored]
        out = {k.value: 0 for k in Kind}
        for finding in active:
            out[finding.kind.value] += 1
        out["critical"] = sum(1 for f in active if f.severity is Severity.CRITICAL)
        out["ignored"] = sum(1 for f in findings if f.ignored)
        return out

    @property
    def layered(self) -> bool:
        """More than one layer in the run (or a layered state): group the findings by layer."""
        names = set(self.layers) | {f.layer for f in self.findings}
        return len(names) > 1 or bool(names - {""})

    def groups(self) -> list[Group]:
        """One group per layer, in apply order, then findings no layer owns; a layer with no findings is listed
        too (its line says it is clean)."""
        names = set(self.layers) | {f.layer for f in self.findings}
        order = [name for name in LAYERS if name in names] + sorted(names - set(LAYERS) - {""})
        order += [""] if "" in names else []
        out = []
        for name in order:
            info = self.layers.get(name, {})
            out.append(
                Group(
                    name,
                    [f for f in self.findings if f.layer == name],
                    list(info.get("states", [])),
                    int(info.get("resources", 0)),
                    int(info.get("checked", 0)),
                )
            )
        return out

    def exit_code(self, fail_on: str = "any") -> int:
        if fail_on == "critical":
            return EXIT_DRIFT if any(f.severity is Severity.CRITICAL for f in self.drift) else EXIT_CLEAN
        return EXIT_DRIFT if self.drift else EXIT_CLEAN

    def headline(self) -> str:
        c = self.counts()
        if not self.drift:
            status = "no drift"
        else:
            status = f"DRIFT: {c['critical']} critical, {c['deleted']} deleted, {c['changed']} changed, {c['unmanaged']} unmanaged"
            if c["conflict"]:
                status += f", {c['conflict']} managed by two states"
        catalog = f" | catalog: {len(self.catalog.issues)} issue(s)" if self.catalog is not None else ""
        return (
            f"{status} | {self.checked}/{self.resources} resources checked ({self.coverage:.0%} coverage), "
            f"{c['unknown']} unknown, {c['ignored']} ignored | {self.calls} API calls in {self.seconds:.1f}s"
            f"{catalog}"
        )

    def to_dict(self) -> dict:
        return {
            "generated_at": self.generated_at,
            "sources": self.sources,
            "summary": {
                **self.counts(),
                "resources": self.resources,
                "checked": self.checked,
                "coverage": round(self.coverage, 4),
                "api_calls": self.calls,
                "seconds": round(self.seconds, 3),
                "invariants_judged": self.judged,
                "judge_note": self.judge_note,
                "state_already_breaks": self.baseline_violations,
                **({"catalog_issues": len(self.catalog.issues)} if self.catalog is not None else {}),
                "layers": [
                    {
                        "layer": g.layer or None,
                        "states": g.states,
                        "resources": g.resources,
                        "checked": g.checked,
                        **self.counts(g.findings),
                    }
                    for g in self.groups()
                ],
            },
            "broken_invariants": self.broken,
            "expired_ignores": [
                {"address": r.address, "reason": r.reason, "expired": r.expires.isoformat()} for r in self.expired_rules
            ],
            "findings": [f.to_dict() for f in self.findings],
            **({"catalog_health": self.catalog.to_dict()} if self.catalog is not None else {}),
        }
