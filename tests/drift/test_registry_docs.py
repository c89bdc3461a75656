"""Every resource type the lake's Terraform declares has a drift adapter, and docs/drift.md is generated."""

import re
from pathlib import Path

from drift import docs
from drift.adapters import adapters

ROOT = Path(__file__).resolve().parents[2]


def infra_resource_types() -> set[str]:
    pattern = re.compile(r'^\s*resource\s+"([a-z0-9_]+)"', re.M)
    return {m for tf in (ROOT / "infra").rglob("*.tf") for m in pattern.findall(tf.read_text(encoding="utf-8"))}


def test_every_infra_resource_type_has_an_adapter():
    types = infra_resource_types()
    assert types, "no resource blocks found under infra/"
    assert sorted(types - set(adapters())) == []


def test_every_adapter_documents_what_it_reads_and_compares():
    for resource_type, adapter in adapters().items():
        assert adapter.type == resource_type and adapter.api and adapter.compares, resource_type


def test_docs_page_is_generated_from_the_code():
    assert (ROOT / "docs" / "drift.md").read_text(encoding="utf-8") == docs.render(), (
        "docs/drift.md is stale: run .venv/bin/python -m drift.docs > docs/drift.md"
    )
