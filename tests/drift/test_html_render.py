"""The HTML drift report, opened in a real headless Chromium, shows its findings (what a CI artifact reader sees)."""

import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from drift.model import Change, Finding, Kind, Severity
from drift.report import Report, html
from lake.layers import LAYERS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium on this machine (.ci/run installs it)")

FINDINGS = [
    Finding(
        Kind.CHANGED,
        "module.foundation.module.s3.aws_s3_bucket_versioning.raw",
        "aws_s3_bucket_versioning",
        "versioning_configuration[0].status: Enabled -> Suspended",
        "terraform apply -target=module.foundation.module.s3.aws_s3_bucket_versioning.raw",
        Severity.CRITICAL,
        [Change("versioning_configuration[0].status", "Enabled", "Suspended")],
        invariants=["RAW-VERSIONING raw bucket versioning status is 'Suspended', must be 'Enabled'"],
        layer="foundation",
    ),
    Finding(
        Kind.DELETED,
        'module.catalog.module.glue.aws_glue_crawler.this["users_v1"]',
        "aws_glue_crawler",
        "aws_glue_crawler lake-local-users-v1 is in the state but gone from AWS",
        "terraform apply",
        Severity.CRITICAL,
        invariants=["CRAWLER-SCOPE no crawler targets s3://lake-local-curated/dataset/users/schema=1/"],
        layer="catalog",
    ),
]


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script", "head")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script", "head")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def test_chromium_renders_every_finding(tmp_path):
    layers = {name: {"states": [f"{name}.tfstate"], "resources": 14, "checked": 14} for name in LAYERS}
    report = Report(
        sources=[f"{name}.tfstate" for name in LAYERS],
        findings=list(FINDINGS),
        resources=56,
        checked=56,
        calls=55,
        seconds=1.0,
        judged=True,
        layers=layers,
    )
    page = tmp_path / "drift.html"
    page.write_text(html.render(report), encoding="utf-8")
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    parser = _VisibleText()
    parser.feed(proc.stdout)
    text = " ".join(parser.parts)
    for finding in FINDINGS:
        assert finding.address in text, text[:3000]
    assert "critical" in text.lower()
    assert "Suspended" in text and "lake-local-users-v1" in text
    # one section per layer, in apply order, each finding under its own layer
    places = [text.index(f"{name}: ") for name in LAYERS]
    assert places == sorted(places), text[:3000]
    assert places[0] < text.index(FINDINGS[0].address) < places[1] < places[2] < text.index(FINDINGS[1].address)
    assert "ingestion: no drift" in text
