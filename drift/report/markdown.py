"""Markdown for a CI job summary (``$GITHUB_STEP_SUMMARY``)."""

from __future__ import annotations

from drift.report import Report


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(findings: list) -> list[str]:
    lines = ["| severity | kind | address | what | remedy |", "|---|---|---|---|---|"]
    for f in findings:
        what = f.message
        if f.invariants:
            what += " — breaks " + "; ".join(f.invariants)
        if f.ignored:
            what += f" (ignored: {f.ignored})"
        lines.append(
            f"| {f.severity.value} | {f.kind.value} | `{_cell(f.address)}` | {_cell(what)} | {_cell(f.remedy)} |"
        )
    return [*lines, ""]


def render(report: Report) -> str:
    lines = ["# Drift report", "", f"**{_cell(report.headline())}**", ""]
    lines.append(f"States: {', '.join(f'`{s}`' for s in report.sources)} · generated {report.generated_at}")
    lines.append("")
    if report.history is not None:  # --previous: what changed overnight leads the summary
        from drift.history import markdown_lines

        lines[2:2] = markdown_lines(report.history, report.findings)
    if not report.judged:
        lines += [f"> {report.judge_note}", ""]
    if report.layered:  # one section per layer, in apply order
        for group in report.groups():
            lines += [f"## Layer {group.label}", "", _cell(group.line()), ""]
            if group.findings:
                lines += _table(group.findings)
    elif report.findings:
        lines += _table(report.findings)
    if report.findings:
        changed = [f for f in report.findings if f.changes]
        if changed:
            lines += ["## Attribute changes", "", "| address | attribute | state | live |", "|---|---|---|---|"]
            for f in changed:
                for c in f.changes:
                    lines.append(
                        f"| `{_cell(f.address)}` | `{_cell(c.path)}` | `{_cell(c.state)}` | `{_cell(c.live)}` |"
                    )
            lines.append("")
    if report.catalog is not None:
        lines += ["## Catalog health (not Terraform drift)", "", _cell(report.catalog.line()), ""]
        if report.catalog.issues:
            lines += ["| kind | table | dt | what | fix |", "|---|---|---|---|---|"]
            lines += [
                f"| {i.kind} | `{_cell(i.table)}` | {_cell(i.dt)} | {_cell(i.message)} | `{_cell(i.remedy)}` |"
                for i in report.catalog.issues
            ]
            lines.append("")
        lines += [f"- not readable: {_cell(e)}" for e in report.catalog.errors]
    if report.expired_rules:
        lines += ["## Expired ignore entries", ""]
        lines += [f"- `{r.address}`: {r.reason} (expired {r.expires.isoformat()})" for r in report.expired_rules]
        lines.append("")
    return "\n".join(lines)
