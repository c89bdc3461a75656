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


# ---------------------------------------------------------------- one report over the lake's four layers


def _layered_report():
    def finding(kind, layer, address, severity=Severity.WARNING, **kw):
        return Finding(kind, address, "aws_type", f"m {address}", "r", severity, layer=layer, **kw)

    findings = [
        finding(
            Kind.CHANGED, "catalog", 'module.catalog.module.glue.aws_glue_crawler.this["users_v1"]', Severity.CRITICAL
        ),
        finding(Kind.UNMANAGED, "foundation", "aws_iam_role_policy:lake-local-etl:x", parent="module.foundation.r"),
        finding(
            Kind.CONFLICT, "foundation", 'module.foundation.module.s3.aws_s3_bucket.this["raw"]', Severity.CRITICAL
        ),
        finding(Kind.UNKNOWN, "query", "module.query.module.athena.aws_foo.x", Severity.INFO),
        finding(Kind.UNMANAGED, "", "aws_cloudwatch_log_group:lake-local-x"),
    ]
    layers = {
        name: {"states": [f"s3://tf/lake/{name}.tfstate"], "resources": 10, "checked": 10}
        for name in ("foundation", "ingestion", "catalog", "query")
    }
    return Report(
        sources=[s for v in layers.values() for s in v["states"]],
        findings=findings,
        resources=40,
        checked=40,
        calls=50,
        seconds=1.0,
        judged=True,
        layers=layers,
    )


def test_json_gives_each_finding_its_layer_and_counts_per_layer():
    doc = json.loads(json_report.render(_layered_report()))
    assert {f["address"]: f["layer"] for f in doc["findings"]}["aws_cloudwatch_log_group:lake-local-x"] is None
    assert sorted((f["layer"] or "") for f in doc["findings"]) == ["", "catalog", "foundation", "foundation", "query"]
    per_layer = {entry["layer"]: entry for entry in doc["summary"]["layers"]}
    assert list(per_layer) == ["foundation", "ingestion", "catalog", "query", None]  # apply order, then no layer
    assert (per_layer["foundation"]["conflict"], per_layer["foundation"]["unmanaged"]) == (1, 1)
    assert per_layer["foundation"]["critical"] == 1 and per_layer["catalog"]["critical"] == 1
    assert per_layer["ingestion"]["changed"] == 0 and per_layer["ingestion"]["states"] == [
        "s3://tf/lake/ingestion.tfstate"
    ]
    assert per_layer["query"]["unknown"] == 1 and per_layer[None]["unmanaged"] == 1
    assert doc["summary"]["conflict"] == 1 and doc["summary"]["critical"] == 2


def _sections(text: str, headings: list[str]) -> list[str]:
    """The text between each heading and the next, in the order the headings appear (each must appear once)."""
    places = [text.index(h) for h in headings]
    assert places == sorted(places), places
    return [text[a:b] for a, b in zip(places, [*places[1:], len(text)], strict=True)]


def test_console_markdown_and_html_group_findings_by_layer():
    report = _layered_report()
    crawler, conflict = 'aws_glue_crawler.this["users_v1"]', 'aws_s3_bucket.this["raw"]'
    for text, heading in (
        (console.render(report, width=300), "[{}:"),
        (markdown.render(report), "## Layer {}"),
        (html.render(report).replace("&quot;", '"'), 'id="layer-{}"'),
    ):
        foundation, ingestion, catalog, query, lake = _sections(
            text, [heading.format(x) for x in ("foundation", "ingestion", "catalog", "query", "lake")]
        )
        assert conflict in foundation and "lake-local-etl:x" in foundation and crawler not in foundation
        assert "no drift" in ingestion and crawler in catalog and "aws_foo.x" in query
        assert "aws_cloudwatch_log_group:lake-local-x" in lake
        assert "s3://tf/lake/catalog.tfstate" in catalog
    assert "1 managed by two states" in report.headline()
    assert report.exit_code() == 1


def test_a_single_unsplit_state_is_not_grouped():
    text = markdown.render(_report(CRITICAL, WARNING))
    assert "## Layer" not in text and not _report(CRITICAL).layered
