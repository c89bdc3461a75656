"""A few-MB run of bench/handler.py: the handler stays within loose ratios of bare pyarrow and beats naive."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "handler.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_handler", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


@pytest.mark.e2e
def test_bench_smoke_ratios(tmp_path):
    bench = _bench()
    res = bench.run_bench(4, repeat=1, naive=True, workdir=tmp_path)
    assert res["handler_clean"]["rows"] == res["floor"]["rows"] == res["naive"]["rows"]
    assert res["handler_bad"]["quarantined"] > 0
    # loose: timings on a shared 2-core machine are noisy; the 100 MB run in bench/README.md has the real figures
    assert res["ratios"]["clean_vs_naive"] >= 1.5
    assert res["ratios"]["clean_vs_floor"] >= 0.15


def test_each_figures_two_sides_run_side_by_side_and_take_turns_going_first(monkeypatch):
    bench = _bench()
    calls = []
    monkeypatch.setattr(bench, "run_child", lambda variant, path: calls.append(path) or {"seconds": 1.0,
                        "cpu_seconds": 1.0, "peak_rss": 1, "mb_per_s": 1.0})  # fmt: skip
    jobs = {name: ("handler", name) for name in bench.RUN_ORDER}
    bench.measure(jobs, 3)
    assert calls == [*bench.RUN_ORDER, *reversed(bench.RUN_ORDER), *bench.RUN_ORDER]
    place = {name: k for k, name in enumerate(bench.RUN_ORDER)}
    for clean_or_bad in ("clean", "bad"):
        other = "ndjson_clean" if clean_or_bad == "clean" else "ndjson_bad_records"
        for doc in ("array", "records_path"):
            assert abs(place[f"{doc}_{clean_or_bad}"] - place[other]) <= 2
    assert abs(place["floor"] - place["ndjson_clean"]) == 1 == abs(place["floor"] - place["ndjson_bad"])


def test_a_figure_is_the_median_of_each_rounds_own_ratio():
    bench = _bench()
    # the machine is twice as fast in two rounds: the ratio of the medians takes the variant's median from a round
    # where it ran 0.95 of its base (1.9 / 2.0), the figure is each round's own ratio, the median of them 0.9
    base = [1.0, 1.0, 2.0, 2.0, 2.0]
    variant = [b / r for b, r in zip(base, [0.9, 0.9, 0.9, 0.95, 0.85], strict=True)]
    assert bench.paired_ratio(base, variant) == pytest.approx(0.9)
    assert bench.statistics.median(base) / bench.statistics.median(variant) == pytest.approx(0.95)
    assert bench.paired_ratio([1.0, 1.0, 1.0], [1.0, 2.0, 0.5]) == 1.0  # the middle round, not a mean
    with pytest.raises(ValueError, match="paired rounds"):
        bench.paired_ratio([1.0, 2.0], [1.0])
    for key, (a, b) in bench.FIGURES.items():
        assert key in bench.TARGETS and a in bench.RUN_ORDER and b in bench.RUN_ORDER
