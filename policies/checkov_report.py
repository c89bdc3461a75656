"""Merge a checkov JSON result (``checkov -o json``) into our findings; checkov runs in its own environment."""

from __future__ import annotations

from typing import Any

from policies.errors import PolicyInputError
from policies.findings import Finding

SEVERITY = {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low"}


def load_checkov_report(doc: Any, where: str = "checkov report") -> list[Finding]:
    runs = doc if isinstance(doc, list) else [doc]
    findings = []
    for run in runs:
        if not isinstance(run, dict):
            raise PolicyInputError(f"{where}: not a checkov JSON report")
        if "results" not in run:
            if run.get("failed", 0) == 0 and "passed" in run:  # checkov's summary when nothing was scanned/failed
                continue
            raise PolicyInputError(f"{where}: not a checkov JSON report (no 'results')")
        for fc in run["results"].get("failed_checks", []) or []:
            lines = fc.get("file_line_range") or []
            path = fc.get("file_path", "")
            source = f"{path.lstrip('/')}:{lines[0]}" if path.endswith(".tf") and lines else path
            findings.append(
                Finding(
                    check_id=f"checkov:{fc.get('check_id')}",
                    severity=SEVERITY.get(str(fc.get("severity") or "").upper(), "medium"),
                    address=fc.get("resource", ""),
                    message=fc.get("check_name") or fc.get("check_id", ""),
                    fix=fc.get("guideline") or "see the checkov documentation for this check, or skip it with a reason",
                    source=source,
                    origin=f"checkov {run.get('check_type', '')}".strip(),
                )
            )
    return findings
