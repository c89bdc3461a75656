"""JSON: the whole report, stable keys, for machines."""

from __future__ import annotations

import json

from drift.report import Report


def render(report: Report) -> str:
    data = report.to_dict()
    if report.history is not None:  # --previous: each finding's history and the resolved list
        data = report.history.annotate(data)
    return json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"
