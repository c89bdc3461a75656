"""A few-MB run of bench/handler.py: the handler stays within loose ratios of bare pyarrow and beats naive."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "handler.py"


@pytest.mark.e2e
def test_bench_smoke_ratios(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_handler", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    res = bench.run_bench(4, repeat=1, naive=True, workdir=tmp_path)
    assert res["handler_clean"]["rows"] == res["floor"]["rows"] == res["naive"]["rows"]
    assert res["handler_bad"]["quarantined"] > 0
    # loose: timings on a shared 2-core machine are noisy; the 100 MB run in bench/README.md has the real figures
    assert res["ratios"]["clean_vs_naive"] >= 1.5
    assert res["ratios"]["clean_vs_floor"] >= 0.15
