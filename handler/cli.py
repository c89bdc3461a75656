"""`lake` subcommands contributed by the `handler` package: `lake build` and `lake etl run`."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from lake.errors import LakeError


def register(subparsers) -> None:
    """Add this package's subcommands to the `lake` parser."""
    build = subparsers.add_parser(
        "build", help="build dist/handler.zip and dist/pyarrow-layer.zip (cached) from the checkout's handler/"
    )
    build.add_argument("--dist", type=Path, help="output directory (default: dist of [tool.lake] or ./dist)")
    build.add_argument("--force", action="store_true", help="rebuild the pyarrow layer even when up to date")
    build.set_defaults(func=cmd_build)

    etl = subparsers.add_parser("etl", help="run the ETL handler locally")
    etl_sub = etl.add_subparsers(dest="etl_command", metavar="COMMAND")
    etl_sub.required = True
    run = etl_sub.add_parser("run", help="process a local file with a contract and show what would be written")
    run.add_argument("file", type=Path, help="raw JSON / NDJSON file, optionally .gz")
    run.add_argument("--dataset", required=True, help="contract dataset (contracts/<dataset>/)")
    run.add_argument("--version", type=int, help="contract version (default: the highest)")
    run.add_argument("--output", type=Path, help="also keep the Parquet and quarantine files in this directory")
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.add_argument("--show", type=int, default=3, help="quarantined records to print (default 3)")
    run.set_defaults(func=cmd_etl_run)


def cmd_build(args: argparse.Namespace) -> int:
    from handler.build import (
        BuildError,
        build_handler_zip,
        build_layer_zip,
        ensure_artifacts,
        sha256_of,
        unzipped_size,
    )
    from lake.workspace import from_args

    ws = from_args(args)
    sources = (ws.require("handler"), ws.require("contracts"))
    try:
        if args.force:
            handler_zip, layer_zip = build_handler_zip(ws.dist, *sources), build_layer_zip(ws.dist)
        else:
            handler_zip, layer_zip = ensure_artifacts(ws.dist, *sources)
    except BuildError as exc:
        raise LakeError(str(exc)) from None
    for path in (handler_zip, layer_zip):
        size = unzipped_size(path) / 1e6
        print(
            f"{path}  sha256 {sha256_of(path)[:16]}  {path.stat().st_size / 1e6:.1f} MB zipped, {size:.1f} MB unzipped"
        )
    return 0


def _contract(dataset: str, version: int | None):
    from contracts import ContractError, discover, load_contract
    from lake.workspace import resolve

    root = resolve().require("contracts")
    try:
        if version is not None:
            return load_contract(dataset, version, root)
        found = discover(root)
        versions = [c for c in found if c.dataset == dataset]
    except ContractError as exc:
        raise LakeError(str(exc)) from None
    if not versions:
        known = sorted({c.dataset for c in found})
        raise LakeError(f"no contract for dataset {dataset!r} (known: {', '.join(known)})")
    return versions[-1]


def _file_blocks(path: Path):
    with open(path, "rb") as fh:
        yield from iter(lambda: fh.read(1 << 20), b"")


def cmd_etl_run(args: argparse.Namespace) -> int:
    import shutil

    import pyarrow.parquet as pq

    from contracts import curated_prefix
    from handler.naming import curated_key, quarantine_key
    from handler.plan import Plan
    from handler.transform import transform

    if not args.file.is_file():
        raise LakeError(f"{args.file}: no such file")
    contract = _contract(args.dataset, args.version)
    plan = Plan.of(contract)
    raw_key = args.file.name
    with tempfile.TemporaryDirectory(prefix="lake-etl-") as tmp:
        staged = transform(_file_blocks(args.file), plan, Path(tmp), raw_key, None)
        prefix = curated_prefix(contract.dataset, contract.version)
        partitions = {
            dt: {"key": curated_key(prefix, dt, raw_key, None), "rows": staged.rows_per_partition.get(dt, 0),
                 "bytes": path.stat().st_size}
            for dt, path in staged.partitions.items()
        }  # fmt: skip
        rejected = []
        if staged.quarantine_file:
            with open(staged.quarantine_file, encoding="utf-8") as fh:
                rejected = [json.loads(line) for _, line in zip(range(max(args.show, 0)), fh, strict=False)]
        result = {
            "file": str(args.file),
            "contract": f"{contract.dataset} v{contract.version}",
            "format": staged.format,
            "records_in": staged.records_in,
            "written": staged.written,
            "quarantined": staged.quarantined,
            "unreadable": staged.unreadable,
            "curated": partitions,
            "quarantine_key": quarantine_key(contract.dataset, contract.version, raw_key, None)
            if staged.quarantine_file or staged.unreadable
            else None,
            "quarantine_sample": rejected,
        }
        if args.output:
            args.output.mkdir(parents=True, exist_ok=True)
            for dt, path in staged.partitions.items():
                shutil.copyfile(
                    path, args.output / Path(partitions[dt]["key"]).name.replace(".parquet", f"-{dt}.parquet")
                )
            if staged.quarantine_file:
                shutil.copyfile(staged.quarantine_file, args.output / "quarantine.ndjson")
        if args.json:
            print(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            _print_human(result, {dt: pq.read_metadata(p).num_rows for dt, p in staged.partitions.items()})
    return 1 if staged.unreadable or staged.quarantined else 0


def _print_human(result: dict, _rows: dict) -> None:
    out = sys.stdout
    print(f"{result['file']}: {result['format'] or 'unreadable'} under contract {result['contract']}", file=out)
    if result["unreadable"]:
        print(f"  unreadable: {result['unreadable']} (one quarantine report: {result['quarantine_key']})", file=out)
        return
    print(
        f"  records in {result['records_in']}, written {result['written']}, quarantined {result['quarantined']}",
        file=out,
    )
    for part in result["curated"].values():
        print(f"  would write {part['rows']} rows ({part['bytes']} bytes) to {part['key']}", file=out)
    if result["quarantine_key"]:
        print(f"  would quarantine to {result['quarantine_key']}", file=out)
    for item in result["quarantine_sample"]:
        where = f"line {item['line']}" if "line" in item else f"index {item.get('index')}"
        print(f"    {where}: {item['field']}: expected {item['expected']}, got {item['got']}", file=out)
