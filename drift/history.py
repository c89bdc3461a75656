"""``lake drift --previous LAST.json``: what changed since the last report.

Each finding of this run is *new* or *persisting* (with the date it was first seen), and each finding of the last
report that is gone is *resolved*. A finding is the same finding across runs when its kind and address are the
same (a changed resource whose changed attributes differ is still the same drift). The first-seen date travels
in the JSON report (``findings[].history.first_seen``), so it survives any number of nightly runs; a previous
report without it counts its findings as first seen on the day it was generated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from lake.errors import LakeError

NEW, PERSISTING, RESOLVED = "new", "persisting", "resolved"


def finding_key(kind: str, address: str) -> tuple[str, str]:
    return kind, address


@dataclass(frozen=True)
class Mark:
    status: str  # new | persisting
    first_seen: str  # YYYY-MM-DD


@dataclass
class History:
    previous_generated_at: str
    marks: dict[tuple[str, str], Mark] = field(default_factory=dict)
    resolved: list[dict] = field(default_factory=list)  # the previous report's finding dicts, with first_seen

    def mark(self, kind: str, address: str) -> Mark | None:
        return self.marks.get(finding_key(kind, address))

    def counts(self) -> dict[str, int]:
        out = {NEW: 0, PERSISTING: 0, RESOLVED: len(self.resolved)}
        for m in self.marks.values():
            out[m.status] += 1
        return out

    def headline(self) -> str:
        c = self.counts()
        return (
            f"since the report of {self.previous_generated_at}: {c[NEW]} new, {c[PERSISTING]} persisting, "
            f"{c[RESOLVED]} resolved"
        )

    def annotate(self, report: dict) -> dict:
        """The JSON report with each finding's history and the resolved list added."""
        out = dict(report)
        findings = []
        for f in report.get("findings", []):
            mark = self.mark(f["kind"], f["address"])
            findings.append({**f, "history": {"status": mark.status, "first_seen": mark.first_seen}} if mark else f)
        out["findings"] = findings
        out["history"] = {"previous_generated_at": self.previous_generated_at, **self.counts()}
        out["resolved"] = self.resolved
        return out


def _day(timestamp: object) -> str:
    return str(timestamp or "")[:10]


def compare(previous: dict, current: list[tuple[str, str]], today: str) -> History:
    """History of the ``current`` findings ((kind, address) pairs) against the ``previous`` JSON report."""
    prev_day = _day(previous.get("generated_at")) or today
    seen: dict[tuple[str, str], tuple[str, dict]] = {}
    for f in previous.get("findings", []):
        first = (f.get("history") or {}).get("first_seen") or prev_day
        seen[finding_key(f.get("kind", ""), f.get("address", ""))] = (first, f)
    history = History(previous.get("generated_at", ""))
    for key in current:
        if key in seen:
            history.marks[key] = Mark(PERSISTING, seen[key][0])
        else:
            history.marks[key] = Mark(NEW, today)
    for key, (first, f) in sorted(seen.items()):
        if key not in history.marks:
            history.resolved.append(
                {k: f.get(k) for k in ("kind", "severity", "address", "type", "message")} | {"first_seen": first}
            )
    return history


def load_previous(path: Path) -> dict:
    """The previous JSON report; a missing or unreadable one is a one-line error naming the file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LakeError(f"{path}: no previous report at this path (omit --previous on the first run)") from None
    except (OSError, ValueError) as exc:
        raise LakeError(f"{path}: not a readable JSON drift report ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise LakeError(f"{path}: not a `lake drift --json` report (no findings list)")
    return data


def markdown_lines(history: History, findings: list) -> list[str]:
    """The "what changed overnight" section that leads the Markdown report."""
    lines = ["## What changed since the last report", "", f"**{history.headline()}**", ""]
    new = [f for f in findings if (m := history.mark(f.kind.value, f.address)) and m.status == NEW]
    if new:
        lines += ["New:", ""] + [f"- {f.severity.value} {f.kind.value} `{f.address}`: {f.message}" for f in new] + [""]
    if history.resolved:
        lines += ["Resolved:", ""]
        lines += [
            f"- {r['kind']} `{r['address']}` (first seen {r['first_seen']}): {r.get('message') or ''}"
            for r in history.resolved
        ]
        lines.append("")
    persisting = [(f, m) for f in findings if (m := history.mark(f.kind.value, f.address)) and m.status == PERSISTING]
    if persisting:
        lines += ["Persisting:", ""]
        lines += [f"- {f.kind.value} `{f.address}` since {m.first_seen}" for f, m in persisting]
        lines.append("")
    return lines


def console_lines(history: History) -> list[str]:
    lines = [history.headline()]
    lines += [f"  resolved: {r['kind']} {r['address']} (first seen {r['first_seen']})" for r in history.resolved]
    return lines
