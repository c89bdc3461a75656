"""``lake`` subcommands that belong to no single package: infrastructure checks and the local lake."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lake import INFRA_DIR


def register(subparsers) -> None:
    infra = subparsers.add_parser("infra", help="terraform fmt/validate of every root and module")
    infra_sub = infra.add_subparsers(dest="infra_command", metavar="ACTION")
    infra_sub.required = True
    check = infra_sub.add_parser("check", help="terraform fmt -check and validate (no credentials needed)")
    check.add_argument("--infra", type=Path, default=INFRA_DIR, help="the infra directory (default: %(default)s)")
    check.set_defaults(func=cmd_infra_check)


def cmd_infra_check(args: argparse.Namespace) -> int:
    from lake.infra_check import check_infra

    results = check_infra(args.infra, progress=lambda msg: print(f"  {msg}", flush=True))
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"FAIL {r.path}: {r.detail}", file=sys.stderr)
    print(f"infra check: {len(results) - len(failed)} ok, {len(failed)} failed")
    return 1 if failed else 0
