"""Reports and exit codes: rendered from a fixed Report, no AWS."""

import json
import re
from html.parser import HTMLParser

from drift.model import Change, Finding, Kind, Severity
from drift.report import Report, console, html, json_report, markdown


def _report(*findings, judged=True):
    return Report(
        sources=["s.tfstate"],
        findings=list(findings),
        resources=10,
        checked=9,
        calls=12,
        seconds=0.5,
        judged=judged,
        judge_note="" if judged else "invariants not judged: x",
    )


CRITICAL = Finding(
    Kind.CHANGED,
    "aws_s3_bucket_versioning.raw",
    "aws_s3_bucket_versioning",
    "status",
    "terraform apply",
    Severity.CRITICAL,
    [Change("versioning_configuration[0].status", "Enabled", "Suspended")],
    invariants=["RAW-VERSIONING x: <suspended>"],
)
WARNING = Finding(Kind.UNMANAGED, "aws_s3_bucket:lake-local-x", "aws_s3_bucket", "bucket | with pipe", "aws s3 rb")
UNKNOWN = Finding(Kind.UNKNOWN, "aws_foo.bar", "aws_foo", "no adapter", "add one", Severity.INFO)


def test_exit_codes():
    assert _report().exit_code() == 0
    assert _report(UNKNOWN).exit_code() == 0  # unknown is coverage, not drift
    assert _report(WARNING).exit_code() == 1 and _report(WARNING).exit_code("critical") == 0
    assert _report(CRITICAL, WARNING).exit_code("critical") == 1


def test_ignored_findings_do_not_fail_the_run():
    accepted = Finding(Kind.UNMANAGED, "aws_s3_bucket:x", "aws_s3_bucket", "m", "r", ignored="known (until 2099-01-01)")
    report = _report(accepted)
    assert report.exit_code() == 0 and report.counts()["ignored"] == 1


def test_json_has_summary_and_findings():
    doc = json.loads(json_report.render(_report(CRITICAL, WARNING, UNKNOWN)))
    assert doc["summary"]["critical"] == 1 and doc["summary"]["coverage"] == 0.9
    assert [f["kind"] for f in doc["findings"]] == ["changed", "unmanaged", "unknown"]  # critical first
    assert doc["findings"][0]["changes"][0] == {
        "path": "versioning_configuration[0].status",
        "state": "Enabled",
        "live": "Suspended",
    }


def test_markdown_escapes_table_cells_and_lists_changes():
    text = markdown.render(_report(CRITICAL, WARNING))
    assert "bucket \\| with pipe" in text
    assert "| `aws_s3_bucket_versioning.raw` | `versioning_configuration[0].status` | `Enabled` | `Suspended` |" in text
    assert "> invariants not judged" in markdown.render(_report(WARNING, judged=False))


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.external = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "class" in attrs:
            self.rows.append(attrs["class"])
        if (
            tag in ("script", "link", "img")
            or attrs.get("src")
            or (tag == "a" and attrs.get("href", "").startswith("http"))
        ):
            self.external.append(tag)


def test_html_is_self_contained_and_escapes_values():
    page = html.render(_report(CRITICAL, WARNING, UNKNOWN))
    parser = _Collect()
    parser.feed(page)
    assert parser.rows == ["critical changed", "warning unmanaged", "info unknown"]
    assert parser.external == []
    assert "&lt;suspended&gt;" in page and "<suspended>" not in page
    assert re.search(r"<style>.*</style>", page, re.S)


def test_console_names_every_finding():
    text = console.render(_report(CRITICAL, WARNING), width=200)
    assert "aws_s3_bucket_versioning.raw" in text and "aws_s3_bucket:lake-local-x" in text
    assert text.splitlines()[0].startswith("DRIFT: 1 critical")
