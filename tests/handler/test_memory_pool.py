"""Arrow's memory pool is chosen when the handler package loads, before pyarrow does (``handler/__init__``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from handler import JEMALLOC_CONF, MEMORY_POOL, ONE_ARENA

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", JEMALLOC_CONF)} | env
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


@pytest.mark.skipif(MEMORY_POOL != "jemalloc", reason="jemalloc is chosen on Linux only")
def test_jemalloc_runs_with_one_arena_when_the_package_loads_first():
    """What jemalloc itself reports when pyarrow loads it after ``handler`` (the test only adds printing to the
    package's settings): one arena, and Arrow's own settings kept."""
    code = (
        "import os, handler\n"
        f"os.environ[{JEMALLOC_CONF!r}] += ',stats_print:true'\n"
        "import pyarrow as pa\n"
        "pa.array(range(100000))\n"
    )
    proc = _run(code)
    assert "opt.narenas: 1\n" in proc.stderr
    assert "opt.dirty_decay_ms: 1000" in proc.stderr  # Arrow's compiled-in settings still apply


def test_jemalloc_settings_the_user_gave_are_left_alone():
    code = f"import handler.app, os; print(os.environ[{JEMALLOC_CONF!r}])"
    assert _run(code, **{JEMALLOC_CONF: "narenas:2"}).stdout.strip() == "narenas:2"


def test_the_lambda_entry_point_asks_jemalloc_for_one_arena():
    expected = ONE_ARENA if MEMORY_POOL == "jemalloc" else "None"
    code = f"import handler.app, os; print(os.environ.get({JEMALLOC_CONF!r}))"
    assert _run(code).stdout.strip() == expected
    assert _run(f"import pyarrow, handler, os; print(os.environ.get({JEMALLOC_CONF!r}))").stdout.strip() == "None"
