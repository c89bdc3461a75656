"""Lambda artifacts: reproducible handler zip, resolvable handler, layer within Lambda's size limit."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from handler import build
from lake.workspace import resolve

CHECKOUT = resolve(Path(__file__).parent)
SOURCES = (CHECKOUT.handler, CHECKOUT.contracts)


def test_handler_zip_is_reproducible_and_holds_only_code_and_contracts(tmp_path):
    first = build.build_handler_zip(tmp_path / "a", *SOURCES)
    second = build.build_handler_zip(tmp_path / "b", *SOURCES)
    assert build.sha256_of(first) == build.sha256_of(second)
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
        infos = zf.infolist()
    assert names == sorted(names)
    assert "handler/app.py" in names and "contracts/__init__.py" in names and "contracts/tweets/v1.json" in names
    assert all(n.startswith(("handler/", "contracts/")) for n in names)
    assert "handler/cli.py" not in names and "handler/build.py" not in names
    assert {i.date_time for i in infos} == {build.FIXED_DATE}
    assert {(i.external_attr >> 16) & 0o777 for i in infos} == {0o644}


def test_handler_in_zip_resolves_without_the_repo(tmp_path):
    import subprocess
    import sys

    zip_path = build.build_handler_zip(tmp_path, *SOURCES)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import handler.app as a; "
        "assert a.__file__.startswith(sys.argv[1]); print(callable(a.lambda_handler))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code, str(zip_path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "True", out.stderr


@pytest.mark.e2e
def test_layer_and_handler_fit_lambda_limit_and_layer_is_cached(tmp_path):
    dist = tmp_path / "dist"
    handler_zip, layer_zip = build.ensure_artifacts(dist, *SOURCES)
    total = build.unzipped_size(handler_zip) + build.unzipped_size(layer_zip)
    assert total < build.LAMBDA_UNZIPPED_LIMIT, f"{total / 1e6:.1f} MB unzipped"
    with zipfile.ZipFile(layer_zip) as zf:
        names = zf.namelist()
    assert "python/pyarrow/__init__.py" in names
    assert any(n.startswith("python/pyarrow/lib.cpython-312-x86_64-linux-gnu") for n in names)
    assert not any(n.startswith("python/numpy") or n.startswith("python/pandas") for n in names)
    stamp = layer_zip.stat().st_mtime_ns
    build.ensure_artifacts(dist, *SOURCES)
    assert layer_zip.stat().st_mtime_ns == stamp  # cached: same inputs, not rebuilt


def test_a_missing_source_tree_is_named(tmp_path):
    with pytest.raises(build.BuildError, match=rf"looked for {tmp_path}/handler/\*\.py and {tmp_path}/contracts/"):
        build.build_handler_zip(tmp_path / "dist", tmp_path / "handler", tmp_path / "contracts")
