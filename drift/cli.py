"""`lake drift`: Terraform state versus live AWS, as a console table, JSON, Markdown and HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lake.errors import LakeError


def register(subparsers) -> None:
    """Add this package's subcommands to the `lake` parser."""
    p = subparsers.add_parser(
        "drift",
        help="compare Terraform state with live AWS (deleted, changed, unmanaged resources)",
        description="Compare Terraform state with live AWS. Exit 0: no drift, 1: drift, 2: error. "
        "See docs/drift.md for how to read the report.",
    )
    p.add_argument(
        "states",
        nargs="*",
        metavar="STATE",
        help="a state file or s3://bucket/key of the S3 backend (read-only, no lock), one per layer of the lake; "
        "<layer>=<state> names its layer (default: the layer its addresses name)",
    )
    p.add_argument(
        "--state-prefix",
        metavar="PREFIX",
        help="read the four layers' states <PREFIX><layer>.tfstate (s3://bucket/lake/ or a directory/); "
        "any that cannot be read fails the run",
    )
    aws = p.add_argument_group("AWS")
    aws.add_argument("--region", help="AWS region (default: from the profile / environment)")
    aws.add_argument("--profile", help="AWS profile name")
    aws.add_argument("--role-arn", help="role to assume for the reads (e.g. the lake's drift-reader role)")
    aws.add_argument("--endpoint-url", help="endpoint override for every service (local moto: http://127.0.0.1:5000)")
    aws.add_argument("--workers", type=int, default=16, help="parallel reads (default 16)")
    aws.add_argument(
        "--max-attempts", type=int, default=10, help="botocore adaptive-retry attempts per call (default 10)"
    )
    scope = p.add_argument_group("scope")
    scope.add_argument(
        "--name-prefix", help="the lake's name prefix for unmanaged resources (default: inferred from the bucket names)"
    )
    scope.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="GLOB",
        help="read only these resource types/addresses (repeatable)",
    )
    scope.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="GLOB",
        help="do not read these resource types/addresses (repeatable)",
    )
    scope.add_argument(
        "--no-catalog-health",
        action="store_true",
        help="skip the catalog health section (unregistered dt= folders, orphan or misplaced partitions)",
    )
    scope.add_argument("--ignore-file", type=Path, help="TOML file of accepted drift (reason + expiry per entry)")
    out = p.add_argument_group("output")
    out.add_argument("--json", type=Path, metavar="PATH", help="write the JSON report here ('-' for stdout)")
    out.add_argument("--markdown", type=Path, metavar="PATH", help="write the Markdown report here ('-' for stdout)")
    out.add_argument("--html", type=Path, metavar="PATH", help="write the self-contained HTML report here")
    out.add_argument("--quiet", action="store_true", help="no console table")
    out.add_argument(
        "--previous",
        type=Path,
        metavar="LAST.json",
        help="the last JSON report: mark each finding new or persisting (first seen), list the resolved ones",
    )
    out.add_argument(
        "--fail-on",
        choices=("critical", "any"),
        default="any",
        help="exit 1 on any drift (default) or only on critical drift",
    )
    p.set_defaults(func=run)


def _write(path: Path, text: str) -> None:
    if str(path) == "-":
        sys.stdout.write(text)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise LakeError(f"{path}: cannot write the report ({exc.strerror})") from None


def run(args: argparse.Namespace) -> int:
    from drift.aws import AWSOptions
    from drift.check import CheckOptions, run_check
    from drift.ignore import load_rules
    from drift.report import console, html, json_report, markdown
    from drift.state import prefix_sources

    if args.workers < 1:
        raise LakeError(f"--workers {args.workers}: must be at least 1")
    states = list(args.states) + (prefix_sources(args.state_prefix) if args.state_prefix else [])
    if not states:
        raise LakeError("lake drift: give the states to check (STATE ... or --state-prefix PREFIX)")
    previous = None
    if args.previous:
        from drift.history import load_previous

        previous = load_previous(args.previous)
    options = CheckOptions(
        states=states,
        aws=AWSOptions(
            region=args.region,
            profile=args.profile,
            role_arn=args.role_arn,
            endpoint_url=args.endpoint_url,
            max_attempts=args.max_attempts,
            workers=args.workers,
        ),
        name_prefix=args.name_prefix,
        only=args.only,
        skip=args.skip,
        rules=load_rules(args.ignore_file) if args.ignore_file else [],
        catalog_health=not args.no_catalog_health,
    )
    try:
        report = run_check(options)
    except LakeError:
        raise
    except Exception as exc:  # botocore profile / credential problems surface here
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, (BotoCoreError, ClientError)):
            raise LakeError(f"AWS: {exc}") from None
        raise
    if previous is not None:
        from drift.history import compare

        current = [(f.kind.value, f.address) for f in report.findings]
        report.history = compare(previous, current, report.generated_at[:10])
    if args.json:
        _write(args.json, json_report.render(report))
    if args.markdown:
        _write(args.markdown, markdown.render(report))
    if args.html:
        _write(args.html, html.render(report))
    if not args.quiet:
        print(console.render(report, color=sys.stdout.isatty()), end="")
    return report.exit_code(args.fail_on)
