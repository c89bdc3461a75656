"""Render the access matrix: a rich table (role x bucket, one cell per category with its key scope) or JSON."""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.table import Table

from policies.iam.actions import CATEGORIES
from policies.iam.matrix import AccessMatrix


def cell(matrix: AccessMatrix, role: str, bucket: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for g in matrix.for_role(role, bucket):
        out.setdefault(g.category, [])
        scope = g.key_pattern or "(bucket)"
        if scope not in out[g.category]:
            out[g.category].append(scope)
    return {c: sorted(out[c]) for c in CATEGORIES if c in out}


def matrix_json(matrix: AccessMatrix) -> str:
    doc = {
        "roles": sorted(matrix.roles),
        "buckets": matrix.buckets,
        "matrix": {r: {b: cell(matrix, r, b) for b in matrix.buckets} for r in sorted(matrix.roles)},
        "undecidable": {r: [list(x) for x in v] for r, v in matrix.undecidable.items() if v},
    }
    return json.dumps(doc, indent=2) + "\n"


def matrix_table(matrix: AccessMatrix, width: int = 200) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    table = Table(
        title="access matrix (R read, W write, D delete, L list, A admin; scope = key pattern)", show_lines=True
    )
    table.add_column("role \\ bucket")
    for b in matrix.buckets:
        table.add_column(b, overflow="fold")
    for role in sorted(matrix.roles):
        row = [role]
        for b in matrix.buckets:
            c = cell(matrix, role, b)
            row.append("\n".join(f"{k[0].upper()} {', '.join(v)}" for k, v in c.items()) or "-")
        table.add_row(*row)
    console.print(table)
    for role, items in matrix.undecidable.items():
        for source, reason in items:
            console.print(f"undecidable: {role} <- {source}: {reason}")
    return buf.getvalue()
