"""JSON: the whole report, stable keys, for machines."""

from __future__ import annotations

import json

from drift.report import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False, default=str) + "\n"
