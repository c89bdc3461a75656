"""Benchmark the handler's transform on every input shape against bare pyarrow (the floor) and a naive path.

    .venv/bin/python bench/handler.py                           # 100 MB, every shape clean + 1% bad, 9 rounds
    .venv/bin/python bench/handler.py --size-mb 4 --rss-mb 2 8  # quick look

Shapes: NDJSON, NDJSON.gz, a JSON array (``json.dump`` of a list) and a wrapper object with the records at
``records_path``, each clean and with 1% bad records, all from the same generated records. Each variant runs in
its own subprocess so its peak RSS (ru_maxrss) is its own, in interleaved rounds. Figures are ratios against the
floor (or NDJSON) measured in the same run, each the median over the rounds of that round's ratio (``FIGURES``,
``paired_ratio``); absolute seconds depend on the machine and its load. Peak RSS is measured again at two input
sizes (``--rss-mb``) for every shape, the median of ``--rss-rounds`` runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import importlib
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {
    "clean_vs_floor": 0.8,
    "bad_vs_floor": 0.5,
    "array_vs_ndjson": 0.9,
    "array_bad_vs_ndjson": 0.9,
    "records_path_vs_ndjson": 0.9,
    "records_path_bad_vs_ndjson": 0.9,
    "clean_vs_naive": 3.0,
}
RSS_TARGETS = {"rss_spread": 0.15, "rss_mb": 512}
# rounds of the timed runs: a ratio of two medians of 5 rounds moved by up to 0.2 between runs of the same code
# (sixteenth and seventeenth sessions); 9 rounds narrow that by about a quarter (the spread of a median goes as one
# over the root of the rounds)
ROUNDS = 9
RSS_ROUNDS = 3  # runs per shape and size for peak RSS (400 MB runs: about 5 s each)
RECORDS_PATH = "data.records"
SHAPES = ("ndjson", "ndjson.gz", "array", "records_path")


def record(i: int, rng: random.Random) -> dict:
    return {
        "user": {
            "id": i,
            "email": f"user{i}@example.com",
            "name": rng.choice(["Ada Lovelace", "Grace Hopper", "名前 テスト", "Zoë Ünïcødé", "Alan Turing"]),
            "age": rng.randint(18, 90),
            "score": rng.random() * 100,
            "active": rng.random() < 0.8,
            "address": {"street": f"{i} Long Street", "city": rng.choice(["Zürich", "Paris", "東京"]), "zip": "8000",
                        "country": "CH"},
            "signup_date": f"20{rng.randint(10, 23)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        },
        "tags": rng.sample(["new", "vip", "beta", "churn", "eu", "apac"], rng.randint(0, 3)),
        "account": {"balance": f"{rng.randint(0, 99999)}.{rng.randint(0, 99):02d}"},
        "updated_at": f"2024-05-{rng.randint(1, 7):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+0000",
        "extra": {"ignored": [1, 2, 3], "note": "fields the contract does not name are ignored"},
    }  # fmt: skip


BAD_LINES = [
    lambda line: line[: len(line) // 2],  # truncated upload
    lambda line: line.replace(b'"id": ', b'"id": "x', 1).replace(b', "email"', b'", "email"', 1),  # wrong type
    lambda line: line.replace(b'"email"', b'"e_mail"', 1),  # required field missing
    lambda line: line.replace(b"T", b" ", 1).replace(b'"updated_at": "2024-05-0', b'"updated_at": "2024-13-0', 1),
]


# In a document a truncated record would end the document: its bad records are whole elements. They are the bad
# lines but the truncated one, plus two kinds that test a document's split: a refused string with brackets in it,
# and an element that is not JSON (a number written with a plus sign) but ends where an element ends.
BAD_RECORDS = [
    lambda line: line.replace(b'"active": ', b'"active": "{', 1).replace(b', "address"', b'}", "address"', 1),
    *BAD_LINES[1:],
    lambda line: line.replace(b'"age": ', b'"age": +', 1),
]


def records(size_mb: float, bad_fraction: float, bad: list = BAD_LINES, seed: int = 7) -> list[bytes]:
    """JSON lines of about ``size_mb`` MB; the same records for the same seed, whichever ``bad`` mutations."""
    rng = random.Random(seed)
    target = int(size_mb * 1024 * 1024)
    written = 0
    i = 0
    out = []
    while written < target:
        line = json.dumps(record(i, rng), ensure_ascii=False).encode()
        if bad_fraction and rng.random() < bad_fraction:
            line = bad[i % len(bad)](line)
        out.append(line)
        written += len(line) + 1
        i += 1
    return out


def write_shape(path: Path, lines: list[bytes], shape: str) -> None:
    """``lines`` as NDJSON, gzipped NDJSON, one JSON array (as ``json.dump`` writes a list) or a wrapper object."""
    if shape == "ndjson.gz":
        with gzip.open(path, "wb", compresslevel=6) as fh:
            fh.writelines(line + b"\n" for line in lines)
        return
    with open(path, "wb") as fh:
        if shape == "ndjson":
            fh.writelines(line + b"\n" for line in lines)
        elif shape == "array":
            fh.write(b"[" + b", ".join(lines) + b"]")
        else:
            fh.write(b'{"meta": {"source": "bench", "count": %d}, "data": {"records": [' % len(lines))
            fh.write(b", ".join(lines) + b"]}}")


def generate(path: Path, size_mb: float, bad_fraction: float, seed: int = 7, shape: str = "ndjson") -> None:
    bad = BAD_LINES if shape == "ndjson" else BAD_RECORDS
    write_shape(path, records(size_mb, bad_fraction, bad, seed), shape)


# ---------------------------------------------------------------- variants (run in a child process)


def variant_floor(path: Path, out: Path) -> dict:
    """Bare pyarrow with what the handler is given: the same memory pool (``use_memory_pool``), the same
    explicit read schema and the same Parquet writer settings; no validation, flattening or partitioning."""
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    from contracts import load_contract
    from handler.schema import read_schema
    from handler.sink import PARQUET_OPTIONS
    from handler.transform import use_memory_pool

    use_memory_pool()
    schema = read_schema(load_contract("users", 1))
    table = pj.read_json(
        path, parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    )
    pq.write_table(table, out / "floor.parquet", **PARQUET_OPTIONS)
    return {"rows": table.num_rows}


def variant_handler(path: Path, out: Path) -> dict:
    from contracts import load_contract
    from handler.plan import Plan
    from handler.transform import transform

    def blocks():
        with open(path, "rb") as fh:
            yield from iter(lambda: fh.read(1 << 20), b"")

    contract = load_contract("users", 1)
    if "records_path" in path.name:
        contract = dataclasses.replace(contract, records_path=RECORDS_PATH)
    staged = transform(blocks(), Plan.of(contract), out, path.name, None)
    assert staged.balanced
    return {"rows": staged.written, "quarantined": staged.quarantined, "isolated_chunks": staged.isolated_chunks}


def variant_naive(path: Path, out: Path) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from contracts import load_contract
    from handler.schema import arrow_schema
    from handler.validate import validate_record

    contract = load_contract("users", 1)
    rows = []
    with open(path, "rb") as fh:
        for line in fh:
            try:
                row, problems = validate_record(json.loads(line), contract)
            except ValueError:
                continue
            if not problems:
                rows.append(row)
    table = pa.Table.from_pylist(rows, schema=arrow_schema(contract))
    pq.write_table(table, out / "naive.parquet", compression="snappy")
    return {"rows": table.num_rows}


VARIANTS = {"floor": variant_floor, "handler": variant_handler, "naive": variant_naive}


def child(variant: str, path: Path) -> None:
    # the handler package first, as in the function: it picks Arrow's memory pool before pyarrow loads (the floor too)
    importlib.import_module("handler")
    # warm start: every variant has its modules imported before the clock starts, as a warm Lambda would
    import pyarrow.compute
    import pyarrow.json
    import pyarrow.parquet  # noqa: F401

    import handler.transform  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        # ... and has served a request before: each variant runs once on the input's first 256 KB (thread pools
        # started, kernels and regexes initialised), untimed
        warm = Path(tmp) / "warm"
        warm.mkdir()
        warm_input = warm / path.name
        write_shape(warm_input, _head_records(path, 256 << 10), _shape_of(path))
        VARIANTS[variant](warm_input, warm)
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        info = VARIANTS[variant](path, Path(tmp))
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak = after.ru_maxrss * 1024
    print(json.dumps({"variant": variant, "seconds": seconds, "cpu_seconds": cpu, "peak_rss": peak, **info}))


def _shape_of(path: Path) -> str:
    return next(shape for shape in reversed(SHAPES) if path.name.endswith(f".{shape}") or f".{shape}." in path.name)


def _head_records(path: Path, size: int) -> list[bytes]:
    """About ``size`` bytes of the input's first records (as lines), for the warm-up run."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        head = fh.read(size)
    if _shape_of(path) in ("ndjson", "ndjson.gz"):
        return head[: head.rfind(b"\n")].split(b"\n")
    start = head.index(b"[{") + 1
    return head[start : head.rfind(b"}, {") + 1].replace(b"}, {", b"}\n{").split(b"\n")


def run_child(variant: str, path: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", variant, "--input", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["mb_per_s"] = path.stat().st_size / 1e6 / result["seconds"]
    return result


def measure(jobs: dict[str, tuple[str, Path]], repeat: int) -> dict[str, dict]:
    """The median run of each job over ``repeat`` rounds (with every round's seconds and CPU seconds); a round runs
    every job once, so a slow spell of a shared machine hits all variants alike instead of one variant's repeats.
    Every other round runs the jobs in reverse order: a job and the one a figure compares it with (next to each
    other in ``jobs``, see ``RUN_ORDER``) then take turns going first, and a drift of the machine's speed over a
    round does not favour either."""
    runs: dict[str, list[dict]] = {name: [] for name in jobs}
    for k in range(repeat):
        for name, (variant, path) in reversed(jobs.items()) if k % 2 else jobs.items():
            runs[name].append(run_child(variant, path))
    out = {}
    for name, results in runs.items():
        ordered = sorted(results, key=lambda r: r["seconds"])
        median = dict(ordered[(len(ordered) - 1) // 2])
        median["seconds"] = statistics.median(r["seconds"] for r in results)
        median["cpu_seconds"] = statistics.median(r["cpu_seconds"] for r in results)
        median["peak_rss"] = max(r["peak_rss"] for r in results)
        median["rounds"] = [r["seconds"] for r in results]
        median["cpu_rounds"] = [r["cpu_seconds"] for r in results]
        median["mb_per_s"] = median["mb_per_s"] * ordered[(len(ordered) - 1) // 2]["seconds"] / median["seconds"]
        out[name] = median
    return out


def paired_ratio(base: list[float], variant: list[float]) -> float:
    """The median over the rounds of ``base / variant`` within each round (the two ran seconds apart in it).

    The machine's speed drifts within a run (by up to 1.4x); a ratio of each side's median mixes rounds of
    different speeds, a round's own ratio does not. Over the seven runs of the seventeenth session, the
    documents' figures moved between runs with a standard deviation of 0.015-0.056 this way, against
    0.061-0.075 as a ratio of the medians (bench/README.md).
    """
    if len(base) != len(variant) or not base:
        raise ValueError(f"paired rounds needed: {len(base)} against {len(variant)}")
    return statistics.median(b / v for b, v in zip(base, variant, strict=True))


# each figure: (its baseline job, the job measured against it); higher is better
FIGURES = {
    "clean_vs_floor": ("floor", "ndjson_clean"),
    "bad_vs_floor": ("floor", "ndjson_bad"),
    "array_vs_ndjson": ("ndjson_clean", "array_clean"),
    "array_bad_vs_ndjson": ("ndjson_bad_records", "array_bad"),
    "records_path_vs_ndjson": ("ndjson_clean", "records_path_clean"),
    "records_path_bad_vs_ndjson": ("ndjson_bad_records", "records_path_bad"),
}


def inputs(workdir: Path, size_mb: float) -> dict[str, Path]:
    """Every shape, clean and with 1% bad records, plus NDJSON with the documents' bad records (the same records
    as the bad documents, for the documents' ratio). Written by a child process: a child's peak RSS includes its
    parent's at the time it started (Linux carries it across exec), so the parent stays small."""
    cmd = [sys.executable, __file__, "--generate", str(workdir), "--size-mb", str(size_mb)]
    subprocess.run(cmd, check=True, cwd=ROOT)
    return _input_paths(workdir, size_mb)


def _input_paths(workdir: Path, size_mb: float) -> dict[str, Path]:
    size = f"{float(size_mb):g}"  # the same name in the parent (4) and in the generating child (4.0)
    paths = {f"{shape}_{kind}": workdir / f"{kind}-{size}.{shape}" for shape in SHAPES for kind in ("clean", "bad")}
    paths["ndjson_bad_records"] = workdir / f"bad-records-{size}.ndjson"
    return paths


def write_inputs(workdir: Path, size_mb: float) -> None:
    paths = _input_paths(workdir, size_mb)
    if all(path.exists() for path in paths.values()):
        return
    plain = records(size_mb, 0.0)
    bad_lines = records(size_mb, 0.01, BAD_LINES)
    bad_records = records(size_mb, 0.01, BAD_RECORDS)
    for shape in SHAPES:
        for kind, lines in (("clean", plain), ("bad", bad_lines if shape.startswith("ndjson") else bad_records)):
            write_shape(paths[f"{shape}_{kind}"], lines, shape)
    write_shape(paths["ndjson_bad_records"], bad_records, "ndjson")


def run_bench(
    size_mb: float,
    repeat: int = ROUNDS,
    naive: bool = True,
    workdir: Path | None = None,
    rss_mb: tuple = (),
    rss_rounds: int = RSS_ROUNDS,
) -> dict:
    """Generate inputs, run every variant, return figures and ratios."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="bench-handler-"))
    workdir.mkdir(parents=True, exist_ok=True)
    paths = inputs(workdir, size_mb)
    variants = {"floor": ("floor", paths["ndjson_clean"])}
    variants.update({name: ("handler", path) for name, path in paths.items()})
    if sorted(RUN_ORDER) != sorted(variants):
        raise ValueError(f"RUN_ORDER must list every job once: {sorted(variants)}")
    jobs = {name: variants[name] for name in RUN_ORDER}
    res = {"input_mb": paths["ndjson_clean"].stat().st_size / 1e6, "rounds": repeat, **measure(jobs, repeat)}
    res["handler_clean"], res["handler_bad"] = res["ndjson_clean"], res["ndjson_bad"]
    if naive:
        res["naive"] = run_child("naive", paths["ndjson_clean"])  # about 15 s; one run is plenty for >= 3x
    res["ratios"] = {key: paired_ratio(res[a]["rounds"], res[b]["rounds"]) for key, (a, b) in FIGURES.items()}
    res["ratios_of_medians"] = {key: res[a]["seconds"] / res[b]["seconds"] for key, (a, b) in FIGURES.items()}
    res["gz_vs_ndjson"] = {
        "clean": paired_ratio(res["ndjson_clean"]["rounds"], res["ndjson.gz_clean"]["rounds"]),
        "bad": paired_ratio(res["ndjson_bad"]["rounds"], res["ndjson.gz_bad"]["rounds"]),
    }
    if naive:
        res["ratios"]["clean_vs_naive"] = res["naive"]["seconds"] / res["ndjson_clean"]["seconds"]
    # CPU seconds (all threads): far less sensitive than wall time to other jobs on a shared machine
    res["cpu_ratios"] = {
        key: paired_ratio(res[a]["cpu_rounds"], res[b]["cpu_rounds"])
        for key, (a, b) in FIGURES.items()
        if key.endswith("floor")
    }
    if rss_mb:
        res["rss"] = measure_rss(workdir, rss_mb, rss_rounds)
    return res


def measure_rss(workdir: Path, sizes: tuple, repeat: int = RSS_ROUNDS) -> dict:
    """Peak RSS (MB) of each shape, clean and bad, at each input size, the median of ``repeat`` runs (a round runs
    every shape once): memory must not grow with the input."""
    out: dict[str, dict] = {}
    for size in sizes:
        paths = {name: path for name, path in inputs(workdir, size).items() if name != "ndjson_bad_records"}
        runs: dict[str, list[dict]] = {name: [] for name in paths}
        for _ in range(repeat):
            for name, path in paths.items():
                runs[name].append(run_child("handler", path))
        for name, path in paths.items():
            peaks = sorted(r["peak_rss"] / 1e6 for r in runs[name])
            out.setdefault(name, {})[str(size)] = {
                "peak_rss_mb": statistics.median(peaks),
                "peaks_mb": [round(p) for p in peaks],
                "seconds": statistics.median(r["seconds"] for r in runs[name]),
                "input_mb": path.stat().st_size / 1e6,
            }
        for path in _input_paths(workdir, size).values():
            path.unlink(missing_ok=True)
    return out


# the order of the jobs in a round: each figure's two sides next to each other or one apart (the floor between clean
# and bad NDJSON, each document beside its NDJSON), so they are measured seconds apart, not up to a minute (the
# machine's speed drifts: by 1.4x within one run of the sixteenth session)
RUN_ORDER = [
    "array_clean", "records_path_clean", "ndjson_clean", "floor", "ndjson_bad", "ndjson_bad_records", "array_bad",
    "records_path_bad", "ndjson.gz_bad", "ndjson.gz_clean",
]  # fmt: skip
ORDER = ["floor", *(f"{shape}_{kind}" for shape in SHAPES for kind in ("clean", "bad")), "ndjson_bad_records", "naive"]


def report(res: dict) -> str:
    lines = [
        f"input: {res['input_mb']:.1f} MB of users records in each shape; median of {res['rounds']} rounds",
        "",
        "| variant | seconds (median) | CPU seconds | MB/s | peak RSS (MB) | rows | quarantined |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ORDER:
        if name in res:
            r = res[name]
            lines.append(
                f"| {name} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | {r['mb_per_s']:.1f} |"
                f" {r['peak_rss'] / 1e6:.0f} | {r['rows']} | {r.get('quarantined', '')} |"
            )
    lines.append("")
    lines.append("figures: the median of each round's ratio (the two sides run side by side in a round)")
    lines.append("")
    of_medians = res.get("ratios_of_medians", {})
    for key, value in res["ratios"].items():
        target = TARGETS[key]
        also = f"; ratio of the medians {of_medians[key]:.2f}" if key in of_medians else ""
        lines.append(f"- {key}: {value:.2f} (target >= {target}) {'PASS' if value >= target else 'FAIL'}{also}")
    for key, value in res.get("cpu_ratios", {}).items():
        lines.append(f"- {key} by CPU seconds: {value:.2f} (wall-time target >= {TARGETS[key]})")
    lines.append(
        f"- NDJSON.gz vs NDJSON: clean {res['gz_vs_ndjson']['clean']:.2f}, bad {res['gz_vs_ndjson']['bad']:.2f}"
    )
    if "rss" in res:
        sizes = sorted({size for by_size in res["rss"].values() for size in by_size}, key=float)
        rounds = len(next(iter(next(iter(res["rss"].values())).values())).get("peaks_mb", [None]))
        lines += [
            "",
            f"peak RSS: the median of {rounds} run(s) per shape and size",
            "",
            "| shape | " + " | ".join(f"peak RSS at {s} MB" for s in sizes) + " | spread | |",
            "|---" * (len(sizes) + 3) + "|",
        ]
        for name, by_size in res["rss"].items():
            peaks = [by_size[s]["peak_rss_mb"] for s in sizes]
            spread = max(peaks) / min(peaks) - 1
            ok = spread <= RSS_TARGETS["rss_spread"] and max(peaks) < RSS_TARGETS["rss_mb"]
            lines.append(
                f"| {name} | "
                + " | ".join(f"{p:.0f} MB" for p in peaks)
                + f" | {spread:.0%} | {'PASS' if ok else 'FAIL'} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=100)
    parser.add_argument(
        "--repeat",
        type=int,
        default=ROUNDS,
        help=f"rounds; each figure is the median of the rounds' ratios (default {ROUNDS})",
    )
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--rss-mb", type=float, nargs="*", default=[50, 400], help="input sizes for peak RSS")
    parser.add_argument("--rss-rounds", type=int, default=RSS_ROUNDS, help="runs per shape and size for peak RSS")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        write_inputs(args.generate, args.size_mb)
        return 0
    if args.child:
        child(args.child, args.input)
        return 0
    res = run_bench(args.size_mb, args.repeat, not args.no_naive, args.workdir, tuple(args.rss_mb), args.rss_rounds)
    print(json.dumps(res, indent=2) if args.json else report(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
