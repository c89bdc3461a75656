"""Arrow's memory pool is chosen when the handler package loads, before pyarrow does (``handler/__init__``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from handler import MEMORY_POOL

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"} | env
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=environ)
    assert proc.returncode == 0, proc.stderr
    return proc


def _backend(code: str, **env: str) -> str:
    return _run(code, **env).stdout.strip()


POOL = "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"


def test_the_lambda_entry_point_runs_on_the_chosen_pool_from_the_start():
    """As Lambda loads the function (``handler.app``), and as ``lake etl run`` does: the pool is Arrow's default
    one, not one switched to after something was allocated in another. This pyarrow has it built in: Arrow says
    nothing (a missing backend is a warning and mimalloc)."""
    for module in ("handler.app", "handler.cli"):
        proc = _run(f"import {module}; {POOL}")
        assert proc.stdout.strip() == MEMORY_POOL
        assert proc.stderr == ""


@pytest.mark.parametrize("chosen", ["system", "mimalloc"])
def test_a_pool_the_user_chose_is_left_alone(chosen):
    assert (
        _backend(
            f"import handler.app; import handler.transform as t; t.use_memory_pool(); {POOL}",
            ARROW_DEFAULT_MEMORY_POOL=chosen,
        )
        == chosen
    )


def test_when_pyarrow_loaded_first_the_transform_still_switches_to_the_chosen_pool():
    code = f"import pyarrow, handler.transform as t; t.use_memory_pool(); {POOL}"
    assert _backend(code) == MEMORY_POOL
    assert _backend("import pyarrow, handler, os; print(os.environ.get('ARROW_DEFAULT_MEMORY_POOL'))") == "None"


@pytest.mark.skipif(MEMORY_POOL != "jemalloc", reason="jemalloc is chosen on Linux only")
def test_a_pyarrow_without_jemalloc_gets_the_system_allocator():
    code = (
        "import pyarrow as pa, handler.transform as t\n"
        "def missing():\n"
        "    raise NotImplementedError('built without jemalloc')\n"
        "pa.jemalloc_memory_pool = missing\n"
        "pa.set_memory_pool(pa.mimalloc_memory_pool())  # what Arrow falls back to when jemalloc is not built in\n"
        "t.use_memory_pool()\n"
        f"{POOL}"
    )
    assert _backend(code) == "system"
