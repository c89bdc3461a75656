"""One drift check end to end: states in, a :class:`~drift.report.Report` out (used by the CLI, tests, bench).

The states are the lake's layers (one per Terraform root, :mod:`drift.state`), checked as one lake: unmanaged
discovery knows everything any state manages, the invariants are judged on the live model of every layer together
(a crawler's targets in catalog with foundation's buckets), and each finding names its layer.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field

from drift import catalog_health, layering
from drift.aws import AWSOptions, LiveAWS
from drift.decide import finding_for_conflict
from drift.ignore import Rule, apply_rules
from drift.judge import Checker, judge
from drift.model import ManagedResource
from drift.report import Report
from drift.scan import scan
from drift.state import StateSource, load_states


@dataclass
class CheckOptions:
    states: list[str | StateSource]  # PATH, s3://bucket/key or <layer>=<state>; one per layer of the lake
    aws: AWSOptions = field(default_factory=AWSOptions)
    name_prefix: str | None = None  # None: inferred from the managed bucket names
    only: list[str] = field(default_factory=list)  # resource type / address globs to read (applied before the scan)
    skip: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    progress: bool | None = None
    today: dt.date | None = None
    catalog_health: bool = True  # also list unregistered dt= folders, orphan and misplaced partitions


def infer_name_prefix(resources: list[ManagedResource]) -> str | None:
    """The lake's name prefix: the common leading part of the managed bucket names, up to the last ``-``."""
    names = sorted(str(r.attributes.get("bucket") or r.id) for r in resources if r.type == "aws_s3_bucket")
    if not names:
        return None
    if len(names) == 1:
        common = names[0].rsplit("-", 1)[0] + "-"
    else:
        first, last = names[0], names[-1]  # sorted: their common prefix is everyone's
        size = next(
            (i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), min(len(first), len(last))
        )
        common = first[:size]
    prefix = common[: common.rfind("-")] if "-" in common else ""
    return prefix or None


def select(resources: list[ManagedResource], only: list[str], skip: list[str]) -> list[ManagedResource]:
    def hit(resource: ManagedResource, patterns: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(resource.type, p) or fnmatch.fnmatchcase(resource.address, p) for p in patterns)

    return [r for r in resources if (not only or hit(r, only)) and not hit(r, skip)]


def run_check(options: CheckOptions, live: LiveAWS | None = None, checker: Checker | None = None) -> Report:
    live = live or LiveAWS(options.aws)
    lake = load_states(options.states, lambda: live.client("s3"))
    resources = select(lake.resources, options.only, options.skip)
    prefix = options.name_prefix or infer_name_prefix(resources)
    result = scan(resources, live, name_prefix=prefix, workers=options.aws.workers, progress=options.progress)
    judgement = judge(result.findings, resources, result.live, result.unmanaged, checker)
    findings = result.findings + [finding_for_conflict(c.kept, c.other) for c in lake.conflicts]
    layering.assign(findings, lake.resources)
    expired = apply_rules(findings, options.rules, options.today or dt.date.today())
    catalog = catalog_health.check(resources, live) if options.catalog_health else None
    return Report(
        sources=lake.locations,
        findings=findings,
        layers=layer_summary(lake.layers, resources, result.live),
        resources=len(resources),
        checked=result.checked,
        calls=result.calls,
        seconds=result.seconds,
        judged=judgement.judged,
        judge_note=judgement.note,
        broken=judgement.broken,
        baseline_violations=judgement.baseline,
        expired_rules=expired,
        catalog=catalog,
    )


def layer_summary(layers: dict[str, str], resources: list[ManagedResource], live: dict) -> dict[str, dict]:
    """Layer -> its state(s), how many resources it manages and how many of them were read."""
    out: dict[str, dict] = {}
    for location, layer in layers.items():
        out.setdefault(layer, {"states": [], "resources": 0, "checked": 0})["states"].append(location)
    for resource in resources:
        entry = out.setdefault(resource.layer, {"states": [], "resources": 0, "checked": 0})
        entry["resources"] += 1
        entry["checked"] += (resource.source, resource.address) in live
    return out
