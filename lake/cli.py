"""The ``lake`` command. Each package contributes its subcommands through ``register(subparsers)``.

Adding a command group is one module in ``COMMAND_MODULES``; this file knows nothing else about them.
Every handler returns an exit code. A :class:`LakeError` becomes one ``lake: error: ...`` line and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Sequence

from lake.errors import LakeError

DISTRIBUTION = "lake-harness"
COMMAND_MODULES = (
    "lake.commands",
    "handler.cli",
    "policies.cli",
    "drift.cli",
)


def version() -> str:
    """The installed distribution's version (``lake-harness``)."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed: pip install the checkout)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lake",
        description="A Terraform-driven serverless data lake: local run, policy gate, drift check.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except LakeError as exc:
        print(f"lake: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("lake: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
