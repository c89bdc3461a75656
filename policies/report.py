"""Render findings: console (rich), JSON, SARIF 2.1.0 (code scanning), JUnit XML. Each names the finding's layer
(the Terraform root and state that holds the resource) when the lake is split."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

from rich.console import Console
from rich.table import Table

from policies.checks import all_checks
from policies.findings import Finding

SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def active(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.suppressed_by]


def where(f: Finding) -> str:
    """The finding's resource, with its layer when it has one: ``catalog: module.catalog.…``."""
    return f"{f.layer}: {f.address}" if f.layer else f.address


def to_json(findings: list[Finding], inputs: list[str]) -> str:
    return json.dumps(
        {
            "inputs": inputs,
            "passed": not active(findings),
            "counts": {"findings": len(active(findings)), "suppressed": len(findings) - len(active(findings))},
            "checks": [c.id for c in all_checks()],
            "findings": [f.to_dict() for f in findings],
        },
        indent=2,
    )


def _location(f: Finding) -> dict:
    m = re.match(r"^(.*\.tf):(\d+)$", f.source or "")
    if m:
        return {"physicalLocation": {"artifactLocation": {"uri": m.group(1)}, "region": {"startLine": int(m.group(2))}}}
    return {"logicalLocations": [{"fullyQualifiedName": f.address, "kind": "resource"}]}


def to_sarif(findings: list[Finding], root: str = "") -> str:
    rules = [
        {
            "id": c.id,
            "name": c.id.title().replace("-", ""),
            "shortDescription": {"text": c.title},
            "fullDescription": {"text": c.rationale},
            "help": {"text": c.fix},
            "properties": {"severity": c.severity},
        }
        for c in all_checks()
    ]
    # the gate's own findings (GATE-INCOMPLETE, GATE-UNDECIDABLE), checkov's and expired suppressions: a rule each,
    # so every result's ruleId resolves
    known = {c.id for c in all_checks()}
    for f in findings:
        if f.check_id not in known:
            known.add(f.check_id)
            rules.append({"id": f.check_id, "shortDescription": {"text": f.check_id}, "help": {"text": f.fix}})
    results = []
    for f in findings:
        loc = _location(f)
        if root and "physicalLocation" in loc:
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            if uri.startswith(root.rstrip("/") + "/"):
                loc["physicalLocation"]["artifactLocation"]["uri"] = uri[len(root.rstrip("/")) + 1 :]
        result = {
            "ruleId": f.check_id,
            "level": SARIF_LEVEL.get(f.severity, "warning"),
            "message": {"text": f"{where(f)}: {f.message}. Fix: {f.fix}"},
            "locations": [loc],
        }
        if f.layer:
            result["properties"] = {"layer": f.layer}
        if f.suppressed_by:
            result["suppressions"] = [{"kind": "external", "justification": f.suppressed_by}]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "lake-policy", "informationUri": "docs/invariants.md", "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2)


def to_junit(findings: list[Finding]) -> str:
    checks = all_checks()
    by_check: dict[str, list[Finding]] = {}
    for f in active(findings):
        by_check.setdefault(f.check_id, []).append(f)
    extra = sorted(set(by_check) - {c.id for c in checks})
    suite = ET.Element(
        "testsuite", name="lake-policy", tests=str(len(checks) + len(extra)), failures=str(len(by_check))
    )
    for cid in [c.id for c in checks] + extra:
        case = ET.SubElement(suite, "testcase", classname="policies", name=cid)
        for f in by_check.get(cid, []):
            failure = ET.SubElement(case, "failure", message=f"{where(f)}: {f.message}", type=f.severity)
            failure.text = f"{where(f)}\n{f.message}\nFix: {f.fix}\n{f.source}"
    return ET.tostring(ET.ElementTree(suite).getroot(), encoding="unicode", xml_declaration=True)


def to_console(findings: list[Finding], inputs: list[str], width: int = 160) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    shown = active(findings)
    if shown:
        table = Table(title=f"policy gate: {len(shown)} violation(s)", show_lines=True)
        layered = any(f.layer for f in shown)
        for col in ("check", "severity", *(("layer",) if layered else ()), "resource", "problem", "fix"):
            table.add_column(col, overflow="fold")
        for f in shown:
            table.add_row(f.check_id, f.severity, *((f.layer,) if layered else ()), f.address, f.message, f.fix)
        console.print(table)
    suppressed = [f for f in findings if f.suppressed_by]
    for f in suppressed:
        console.print(f"suppressed {f.check_id} {where(f)}: {f.suppressed_by}")
    verdict = "FAIL" if shown else "PASS"
    console.print(
        f"{verdict}: {len(all_checks())} checks on {', '.join(inputs)}; {len(shown)} violation(s), {len(suppressed)} suppressed"
    )
    return buf.getvalue()


FORMATS = {"console", "json", "sarif", "junit"}


def render(fmt: str, findings: list[Finding], inputs: list[str], root: str = "") -> str:
    if fmt == "json":
        return to_json(findings, inputs)
    if fmt == "sarif":
        return to_sarif(findings, root)
    if fmt == "junit":
        return to_junit(findings)
    return to_console(findings, inputs)
