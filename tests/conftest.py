"""Shared fixtures: a local AWS endpoint (moto server) and the lake applied to it once per test session.

- ``lake_tmp``: a session temp dir (outside pytest's basetemp rotation) for Terraform data and state.
- ``local_aws``: a session-scoped :class:`lake.local_aws.LocalAWS` (moto server on loopback).
- ``lake_artifacts``: ``(handler_zip, layer_zip)`` the Lambda functions are created from.
- ``deployed_lake``: ``infra/envs/local`` (four layers) applied once against ``local_aws`` (a :class:`lake.deploy.LocalLake`:
  ``.outputs``, ``.aws``, ``.state_paths`` and ``.terraforms`` per layer), not destroyed (see the fixture).

Tests that use ``deployed_lake`` run Terraform: mark them ``@pytest.mark.e2e``.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest

from lake.deploy import LocalLake
from lake.local_aws import LocalAWS
from lake.workspace import resolve

CHECKOUT = resolve(Path(__file__).parent)  # the checkout these tests belong to, wherever lake is installed

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


_OWN_BASETEMP = pytest.StashKey[Path]()
_SESSION_STATUS = pytest.StashKey[int]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Give the session a private basetemp unless one was given.

    pytest's default basetemp lives in /tmp/pytest-of-<user>/pytest-N and every new session on the machine deletes
    all but the three newest, so two sessions run side by side (tox envs of two checkouts, a developer's run beside
    CI's) can delete each other's files. A fresh ``mkdtemp`` per session is nobody else's to rotate. xdist workers
    inherit a subdirectory of it from the controller.
    """
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        config.option.basetemp = tempfile.mkdtemp(prefix="lake-pytest-")
        config.stash[_OWN_BASETEMP] = Path(config.option.basetemp)


def pytest_unconfigure(config):
    """Remove the private basetemp after a green session; a failed one keeps it for reading (its path is printed)."""
    own = config.stash.get(_OWN_BASETEMP, None)
    if own is None:
        return
    if config.stash.get(_SESSION_STATUS, 1) == 0:
        shutil.rmtree(own, ignore_errors=True)
    else:
        print(f"test temp files kept in {own}")


# The files whose tests use the session's ``deployed_lake``. Under ``pytest -n N --dist loadfile`` (the e2e env)
# each file is one unit of work, so its module-scoped lakes are applied once; these files together are one unit,
# so the shared lake is applied once per run instead of once per worker. The xdist controller schedules by node id
# alone (it never collects), hence a list; collection refuses a file that uses the lake and is missing from it.
SHARED_LAKE_FILES = frozenset(
    {
        "tests/drift/test_attack_e2e.py",
        "tests/drift/test_cross_layer_e2e.py",
        "tests/drift/test_drift_e2e.py",
        "tests/infra/test_add_dataset.py",
        "tests/infra/test_alarms_e2e.py",
        "tests/infra/test_deployed_lake.py",
        "tests/policies/test_cross_state_e2e.py",
        "tests/policies/test_state_e2e.py",
    }
)
SHARED_LAKE_UNIT = "deployed_lake"


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` with :data:`SHARED_LAKE_FILES` as one unit."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedLakeScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return SHARED_LAKE_UNIT if scope in SHARED_LAKE_FILES else scope

    return SharedLakeScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    collected = {item.nodeid.split("::")[0] for item in items}
    using = {item.nodeid.split("::")[0] for item in items if "deployed_lake" in item.fixturenames}
    wrong = sorted((using - SHARED_LAKE_FILES) | (SHARED_LAKE_FILES & collected) - using)
    if wrong:
        raise pytest.UsageError(
            "tests/conftest.py: SHARED_LAKE_FILES must list exactly the test files that use deployed_lake; "
            f"add or remove: {', '.join(wrong)}"
        )


def pytest_sessionfinish(session, exitstatus):
    session.config.stash[_SESSION_STATUS] = int(exitstatus)


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

    The real handler package (``lake build``'s reproducible zip: what HANDLER-RESOLVES inspects and the functions
    run) and a placeholder layer: the real pyarrow layer is 53 MB that moto cannot run anyway, and the gate env
    plans with it (``lake build`` then ``lake policy plan``).
    """
    from handler.build import build_handler_zip

    directory = lake_tmp / "artifacts"
    _, layer_zip = write_placeholder_artifacts(directory)
    handler_zip = build_handler_zip(directory, CHECKOUT.handler, CHECKOUT.contracts)
    return handler_zip, layer_zip


@pytest.fixture(scope="session")
def deployed_lake(local_aws, lake_artifacts, lake_tmp):
    """The lake applied once per session. Not destroyed at the end: the endpoint dies with the session, tests
    leave drift behind on purpose, and ``tests/infra/test_destroy.py`` proves destroy on a lake of its own."""
    handler_zip, layer_zip = lake_artifacts
    lake = LocalLake(local_aws, lake_tmp / "lake", handler_zip, layer_zip)
    try:
        lake.init()
        lake.apply()
        yield lake
    finally:
        lake.close()
