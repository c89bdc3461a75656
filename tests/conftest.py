"""Shared fixtures: a local AWS endpoint (moto server) and the lake applied to it once per test session.

- ``lake_tmp``: a session temp dir (outside pytest's basetemp rotation) for Terraform data and state.
- ``local_aws``: a session-scoped :class:`lake.local_aws.LocalAWS` (moto server on loopback).
- ``lake_artifacts``: ``(handler_zip, layer_zip)`` the Lambda functions are created from.
- ``deployed_lake``: ``infra/envs/local`` applied once against ``local_aws`` (a :class:`lake.deploy.LocalLake`:
  ``.outputs``, ``.aws``, ``.state_path``, ``.terraform``), destroyed when the session ends.

Tests that use ``deployed_lake`` run Terraform: mark them ``@pytest.mark.e2e``.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path

import pytest

from lake.deploy import LocalLake
from lake.local_aws import LocalAWS
from lake.terraform import TerraformError

PLACEHOLDER_HANDLER = '''"""Placeholder handler: the lake's Terraform only needs a package whose handler setting resolves."""


def lambda_handler(event, context):
    raise RuntimeError("placeholder package: build the real one with `lake build`")
'''


def write_placeholder_artifacts(directory: Path) -> tuple[Path, Path]:
    """A handler zip with ``handler/app.py:lambda_handler`` and a layer zip with a ``python/`` tree."""
    directory.mkdir(parents=True, exist_ok=True)
    handler_zip, layer_zip = directory / "handler.zip", directory / "pyarrow-layer.zip"
    with zipfile.ZipFile(handler_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("handler/__init__.py", "")
        zf.writestr("handler/app.py", PLACEHOLDER_HANDLER)
    with zipfile.ZipFile(layer_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("python/lake_placeholder_layer/__init__.py", "")
    return handler_zip, layer_zip


@pytest.fixture(scope="session")
def lake_tmp():
    """A session temp dir outside pytest's basetemp rotation: Terraform data and state must outlive the session's
    last test even when other pytest sessions on the machine rotate /tmp/pytest-of-<user>."""
    path = Path(tempfile.mkdtemp(prefix="lake-tests-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def local_aws():
    aws = LocalAWS.start()
    try:
        yield aws
    finally:
        aws.stop()


@pytest.fixture(scope="session")
def lake_artifacts(lake_tmp) -> tuple[Path, Path]:
    """The Lambda artifacts Terraform uploads: ``(handler_zip, layer_zip)``.

    Placeholder packages for now; this is the one place to switch to the real build (``handler.build``).
    """
    return write_placeholder_artifacts(lake_tmp / "artifacts")


@pytest.fixture(scope="session")
def deployed_lake(local_aws, lake_artifacts, lake_tmp):
    handler_zip, layer_zip = lake_artifacts
    lake = LocalLake(local_aws, lake_tmp / "lake", handler_zip, layer_zip)
    try:
        lake.init()
        lake.apply()
        yield lake
        try:
            lake.destroy()
        except TerraformError as exc:
            # Tests may leave changes behind on purpose (drift); the endpoint dies with the session anyway, and
            # test_destroy proves destroy on a clean lake. Report it, don't fail every test of the session.
            warnings.warn(f"destroying the session lake failed: {exc}", stacklevel=1)
    finally:
        lake.close()
