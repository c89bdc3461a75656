"""A self-contained HTML page (inline CSS, no scripts, no external assets) for the CI artifact."""

from __future__ import annotations

from html import escape
from importlib.resources import files
from string import Template

from drift.report import Report


def _template() -> Template:
    return Template(files("drift").joinpath("templates/report.html").read_text(encoding="utf-8"))


def _row(finding) -> str:
    what = escape(finding.message)
    if finding.changes:
        items = "".join(
            f"<li><code>{escape(c.path)}</code>: <code>{escape(repr(c.state))}</code> &rarr; "
            f"<code>{escape(repr(c.live))}</code></li>"
            for c in finding.changes
        )
        what += f'<ul class="changes">{items}</ul>'
    if finding.invariants:
        what += "".join(f'<div class="inv">breaks {escape(text)}</div>' for text in finding.invariants)
    if finding.ignored:
        what += f"<div>ignored: {escape(finding.ignored)}</div>"
    classes = f"{finding.severity.value} {finding.kind.value}" + (" ignored" if finding.ignored else "")
    return (
        f'<tr class="{classes}"><td class="sev">{finding.severity.value}</td><td>{finding.kind.value}</td>'
        f"<td><code>{escape(finding.address)}</code></td><td>{what}</td><td><code>{escape(finding.remedy)}</code></td></tr>"
    )


def render(report: Report) -> str:
    if report.layered:  # one section of rows per layer, in apply order
        rows = "\n".join(
            f'<tr class="layer" id="layer-{escape(g.label)}"><th colspan="5">{escape(g.line())}</th></tr>'
            + "".join(f"\n{_row(f)}" for f in g.findings)
            for g in report.groups()
        )
    else:
        rows = "\n".join(_row(f) for f in report.findings) or '<tr><td colspan="5">no findings</td></tr>'
    expired = ""
    if report.expired_rules:
        items = "".join(
            f"<li><code>{escape(r.address)}</code>: {escape(r.reason)} (expired {r.expires.isoformat()})</li>"
            for r in report.expired_rules
        )
        expired = f"<h2>Expired ignore entries</h2><ul>{items}</ul>"
    if report.catalog is not None:
        items = "".join(
            f"<tr><td>{escape(i.kind)}</td><td><code>{escape(i.table)}</code></td><td>{escape(i.dt)}</td>"
            f"<td>{escape(i.message)}</td><td><code>{escape(i.remedy)}</code></td></tr>"
            for i in report.catalog.issues
        )
        table = f"<table><tr><th>kind</th><th>table</th><th>dt</th><th>what</th><th>fix</th></tr>{items}</table>"
        expired = (
            f"<h2>Catalog health (not Terraform drift)</h2><p>{escape(report.catalog.line())}</p>"
            f"{table if items else ''}{expired}"
        )
    return _template().substitute(
        generated_at=escape(report.generated_at),
        sources=", ".join(f"<code>{escape(s)}</code>" for s in report.sources),
        status_class="dirty" if report.drift else "clean",
        headline=escape(report.headline()),
        judge_note=f'<p class="note">{escape(report.judge_note)}</p>' if not report.judged else "",
        rows=rows,
        expired=expired,
    )
