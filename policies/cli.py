"""`lake policy ...`: check, matrix, docs, plan."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from lake.workspace import from_args
from policies.errors import PolicyInputError

DOCS_PATH = Path("docs") / "invariants.md"  # relative to the checkout's root


def register(subparsers) -> None:
    """Add this package's subcommands to the `lake` parser."""
    policy = subparsers.add_parser("policy", help="the policy gate: invariants on the HCL, the plan or a state")
    sub = policy.add_subparsers(dest="policy_command", metavar="SUBCOMMAND")
    sub.required = True

    check = sub.add_parser("check", help="check every invariant; exit 0 pass, 1 violations, 2 unusable input")
    check.add_argument(
        "--plan",
        type=Path,
        action="append",
        default=[],
        help="plan JSON from `terraform show -json tfplan`; repeat for each layer planned (one model of the lake)",
    )
    check.add_argument(
        "--infra", type=Path, help="Terraform root or infra/ (default: the checkout's infra/ when no --plan is given)"
    )
    check.add_argument("--contracts", type=Path, help="contracts directory (default: the checkout's contracts/)")
    check.add_argument("--dist", type=Path, help="where `lake build` wrote handler.zip (default: the checkout's dist/)")
    check.add_argument(
        "--state",
        action="append",
        default=[],
        metavar="[LAYER=]PATH|s3://BUCKET/KEY",
        help="the current Terraform state of a layer not planned (a file, or its S3 backend object), judged with the "
        "plans as one lake; optionally labelled with its layer, which its addresses must match (repeatable). A split "
        "lake must be whole: every layer given as a plan or a state, else GATE-INCOMPLETE",
    )
    check.add_argument(
        "--endpoint-url", help="S3 endpoint override for s3:// states (local moto: http://127.0.0.1:5000)"
    )
    check.add_argument(
        "--no-enrich",
        action="store_true",
        help="do not resolve plan-time unknowns from the HCL the plan was made from (--infra; default: the environment "
        "in infra/envs/ whose root declares the plan's variables)",
    )
    check.add_argument("--format", choices=("console", "json", "sarif", "junit"), default="console")
    check.add_argument("--output", type=Path, help="write the report here instead of stdout")
    check.add_argument(
        "--suppressions", type=Path, help="suppressions file (default: the checkout's .lake-policy-suppressions.json)"
    )
    check.add_argument("--checkov-report", type=Path, action="append", default=[], help="merge a checkov JSON result")
    check.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="set an HCL root variable")
    check.add_argument("--only", action="append", default=[], metavar="ID", help="run only this check (repeatable)")
    check.add_argument(
        "--max-bytes-scanned", type=int, help="ceiling for the workgroup's bytes_scanned_cutoff_per_query"
    )
    check.set_defaults(func=cmd_check)

    matrix = sub.add_parser("matrix", help="print the access matrix (role x bucket x read/write/delete/list/admin)")
    matrix.add_argument("--plan", type=Path, action="append", default=[], help="plan JSON (repeat for each layer)")
    matrix.add_argument("--infra", type=Path)
    matrix.add_argument("--format", choices=("console", "json"), default="console")
    matrix.set_defaults(func=cmd_matrix)

    docs = sub.add_parser("docs", help="write docs/invariants.md from the check registry")
    docs.add_argument("--output", type=Path, help=f"(default: the checkout's {DOCS_PATH})")
    docs.add_argument("--check", action="store_true", help="exit 1 if the file is stale instead of writing it")
    docs.set_defaults(func=cmd_docs)

    plan = sub.add_parser(
        "plan", help="terraform plan of each layer of infra/envs/local against a local endpoint, as JSON"
    )
    plan.add_argument(
        "--output",
        type=Path,
        required=True,
        help="directory to write <layer>.json into (a file path for a root that is not layered)",
    )
    plan.add_argument("--endpoint", help="an AWS endpoint already running (default: start moto on loopback)")
    plan.add_argument("--config", type=Path, help="Terraform root (default: the checkout's infra/envs/local)")
    plan.add_argument(
        "--dist", type=Path, help="where `lake build` wrote the artifacts (default: the checkout's dist/)"
    )
    plan.set_defaults(func=cmd_plan)


def _read_json(path: Path, what: str) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyInputError(f"{path}: no such {what} file") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyInputError(f"{path}: not JSON ({exc.msg} at line {exc.lineno}); expected a {what}") from None


def _parse_vars(items: list[str]) -> dict:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise PolicyInputError(f"--var {item!r}: expected NAME=VALUE")
        try:
            out[name] = json.loads(value)
        except json.JSONDecodeError:
            out[name] = value
    return out


def _s3_client_factory(endpoint_url: str | None):
    """A factory of the S3 client s3:// states are read with (the environment's credentials and region)."""

    def client():
        import boto3

        return boto3.client("s3", endpoint_url=endpoint_url)

    return client


def cmd_check(args) -> int:
    from policies import api
    from policies.checkov_report import load_checkov_report
    from policies.loaders.state_source import parse_state_spec, read_state
    from policies.report import active, render
    from policies.suppressions import apply_suppressions, load_suppressions

    ws = from_args(args)
    opts = {"only": args.only or None, "workspace": ws}
    if args.max_bytes_scanned is not None:
        opts["bytes_ceiling"] = args.max_bytes_scanned
    findings = []
    inputs = []
    if args.infra is not None or (not args.plan and not args.state):
        root = api.hcl_root(ws.require("infra"))
        findings += api.check_hcl(root, _parse_vars(args.var), **opts)
        inputs.append(f"HCL {root}")
    if args.plan or args.state:
        source = ws.infra if args.infra is not None or ws.infra.is_dir() else None
        plans = {str(p): _read_json(p, "plan JSON") for p in args.plan}
        specs = [parse_state_spec(s) for s in args.state]
        s3 = _s3_client_factory(args.endpoint_url)
        states = {spec.source: read_state(spec, s3) for spec in specs}
        labels = {spec.source: spec.layer for spec in specs if spec.layer}
        findings += api.check_lake(plans, states, None if args.no_enrich else source, labels, **opts)
        inputs += [f"plan {p}" for p in args.plan] + [f"state {s}" for s in args.state]
    for report in args.checkov_report:
        findings += load_checkov_report(_read_json(report, "checkov JSON report"), str(report))
        inputs.append(f"checkov {report}")
    if args.suppressions is not None and not args.suppressions.is_file():
        raise PolicyInputError(f"{args.suppressions}: no such suppressions file")
    findings = apply_suppressions(findings, load_suppressions(ws.suppressions), dt.date.today())
    text = render(args.format, findings, inputs, root=str(ws.root))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        if args.format != "console":
            print(render("console", findings, inputs), end="")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 1 if active(findings) else 0


def cmd_matrix(args) -> int:
    from policies.api import hcl_model, lake_model
    from policies.iam.matrix import build_matrix
    from policies.matrix_view import matrix_json, matrix_table

    ws = from_args(args)
    if args.plan:
        source = ws.infra if args.infra is not None or ws.infra.is_dir() else None  # enrich as `check` does
        model = lake_model({str(p): _read_json(p, "plan JSON") for p in args.plan}, None, source)
    else:
        model = hcl_model(ws.require("infra"))
    matrix = build_matrix(model)
    print(matrix_json(matrix) if args.format == "json" else matrix_table(matrix), end="")
    return 0


def cmd_docs(args) -> int:
    from policies.docs import render_docs

    text = render_docs()
    output = args.output or from_args(args).root / DOCS_PATH
    current = output.read_text(encoding="utf-8") if output.is_file() else ""
    if args.check:
        if current != text:
            print(f"{output} is stale: run `lake policy docs`", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0


def cmd_plan(args) -> int:
    from policies.planner import artifacts, plan_local

    ws = from_args(args)
    config = ws.require("infra", args.config.resolve()) if args.config else ws.require("infra", ws.local_env)
    plans = plan_local(
        config, artifacts(ws.dist), endpoint=args.endpoint, workdir=Path(tempfile.mkdtemp(prefix="lake-policy-plan-"))
    )
    for layer, plan in plans.items():
        output = args.output / f"{layer}.json" if layer else args.output
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(plan), encoding="utf-8")
        print(f"wrote {output} ({len(plan.get('resource_changes', []))} resource changes)")
    return 0
