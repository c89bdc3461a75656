"""Console: a rich table on a terminal, plain aligned text otherwise."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.table import Table

from drift.model import Severity
from drift.report import Report

STYLE = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


def _table(findings: list) -> Table:
    table = Table(show_lines=False, expand=False)
    for column in ("severity", "kind", "address", "what", "remedy"):
        table.add_column(column, overflow="fold")
    for f in findings:
        what = f.message
        if f.invariants:
            what += "\nbreaks " + "; ".join(f.invariants)
        if f.ignored:
            what += f"\nignored: {f.ignored}"
        table.add_row(
            f.severity.value,
            f.kind.value,
            f.address,
            what,
            f.remedy,
            style=STYLE[f.severity] if not f.ignored else "dim",
        )
    return table


def render(report: Report, width: int = 160, color: bool = False) -> str:
    buffer = StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False)
    console.print(report.headline(), style="bold")
    if report.history is not None:
        from drift.history import console_lines

        for line in console_lines(report.history):
            console.print(line)
    if not report.judged:
        console.print(report.judge_note, style="yellow")
    if report.layered:  # one section per layer, in apply order
        for group in report.groups():
            console.print(f"[{group.line()}]", style="bold", markup=False)
            if group.findings:
                console.print(_table(group.findings))
    elif report.findings:
        console.print(_table(report.findings))
    if report.catalog is not None:
        console.print(f"Catalog health (not Terraform drift): {report.catalog.line()}", style="bold")
        for issue in report.catalog.issues:
            console.print(f"  {issue.kind:<12} {issue.table} dt={issue.dt}: {issue.message}\n    fix: {issue.remedy}")
        for error in report.catalog.errors:
            console.print(f"  not readable: {error}", style="yellow")
    for rule in report.expired_rules:
        console.print(f"expired ignore entry: {rule.address} ({rule.reason}, expired {rule.expires})", style="yellow")
    return buffer.getvalue()
