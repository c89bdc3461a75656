"""Generate ``docs/drift.md`` from the code: kinds, severities, remedies, exit codes, the ignore file format and
the adapter list come from the modules that define them, so the page cannot drift from the checker.

    python -m drift.docs > docs/drift.md       # regenerate
    python -m drift.docs --check docs/drift.md # exit 1 when the committed page is stale (a unit test does this)
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

from drift import catalog_health, ignore, normalise, remedy
from drift.adapters import adapters
from drift.model import Kind, Severity
from drift.report import EXIT_CLEAN, EXIT_DRIFT, EXIT_ERROR

KIND_TEXT = {
    Kind.DELETED: "in a state, gone from AWS (the seed's hand-deleted crawler)",
    Kind.CHANGED: "in a state and in AWS, and at least one compared attribute differs; each change lists the "
    "attribute path, the state's value and the live value",
    Kind.UNMANAGED: "in AWS, inside the lake's scope, in no state: a sub-resource hung on a managed parent even when no "
    "state manages its type (lifecycle, replication, CORS, website, logging, ACL, Object Lock and notification on a "
    "bucket; function URL, permission, alias and event source mapping on a function; table, partition outside its "
    "table's location, crawler and job in the lake database; grant on the lake's key; subscription filter on a log "
    "group; inline policy or attachment on a role), or a role, policy, bucket, function, queue, log group, "
    "workgroup, crawler or Glue job named with the lake's prefix. Each is judged against the invariants as if it "
    "were managed (a hand-made expiry rule on raw is critical). Every console action that can break an invariant, "
    "and what it must produce, is listed in [the attack surface](attack-surface.md)",
    Kind.CONFLICT: "one object managed by two of the given states: the same address in two states, or the same "
    "object (type and id) under two addresses, as a half-done migration from one state to the layers leaves it. "
    "Never merged: the object is read once (for the first state given) and the finding names both states; it is "
    "critical, because an apply of either state can change or destroy what the other manages",
    Kind.UNKNOWN: "could not be checked: access denied, throttled past the retry budget, an unexpected AWS error, or "
    "no adapter for the type; counted against coverage, never a crash and never silently skipped",
}
SEVERITY_TEXT = {
    Severity.CRITICAL: "the live lake, rebuilt from what AWS returned, breaks an invariant "
    "([invariants](invariants.md) as checked by `policies`) that the recorded state does not "
    "break; the finding lists each broken invariant. A `conflict` (two states managing one object) is always critical",
    Severity.WARNING: "drift that breaks no invariant (still drift: exit 1 with `--fail-on any`); a harmless change "
    "(memory, a tag, a description, an extra environment variable) is never critical, so `--fail-on critical` pages "
    "only for a broken invariant",
    Severity.INFO: "an unknown finding (coverage)",
}
INTRO = """# Drift: reading the report

`lake drift` compares Terraform state with live AWS and reports what differs. It needs no Terraform binary and
no configuration: only the states (local files or the S3 backend objects, read with a plain GetObject, no lock)
and read access to AWS (the lake's `drift-reader` role).

```
lake drift [STATE ...] [--state-prefix PREFIX] [--region R] [--profile P] [--role-arn ARN] [--endpoint-url URL]
           [--ignore-file drift-ignore.toml] [--fail-on critical|any] [--previous last.json]
           [--json report.json] [--markdown summary.md] [--html report.html]
           [--only GLOB] [--skip GLOB] [--name-prefix lake-prod] [--workers 16]

lake drift --state-prefix s3://tf-state/lake/ --role-arn arn:aws:iam::123456789012:role/lake-prod-drift-reader
lake drift foundation=s3://tf-state/lake/foundation.tfstate catalog=./catalog.tfstate ... --html drift.html
lake drift --state-prefix /tmp/lake/ --endpoint-url http://127.0.0.1:5000     # the local moto lake
```

## One lake, four states

The lake is four Terraform roots with a state each: foundation (buckets, key, roles), ingestion (functions,
layer, S3 event wiring, failure queue), catalog (Glue database, tables, crawlers) and query (Athena workgroup).
One run reads all four and writes one report:

- each state is a layer: `<layer>=<state>` names it, else the layer is the one its addresses name
  (`module.<layer>.…`); `--state-prefix P` reads `P<layer>.tfstate` for each of the four layers (the S3 backend
  keys of `infra/envs/aws`, or the local lake's state directory). A state that cannot be read, a layer given
  twice, or a state given as one layer that holds another's resources fails the run (exit 2, one line): a
  report missing a layer would look clean;
- the same address, or the same object, managed by two states is a `conflict` finding, not a silent merge;
- unmanaged discovery knows what every given state manages: an object one layer manages is never reported as
  unmanaged because another layer's adapter found it (the ingestion layer's notification on foundation's raw
  bucket);
- the invariants are judged on the live model of all the layers together, so a hand change in one layer is
  judged with what the others hold: a crawler given an S3 target on raw (catalog) breaks CRAWLER-SCOPE against
  foundation's raw bucket; a function told to write into raw (ingestion) breaks ETL-CONFIG and ETL-NO-RAW-WRITE
  against foundation's buckets and etl role policy; a table moved into raw (catalog) breaks ATHENA-NO-RAW against
  foundation's buckets. Judged on its own layer's state alone, none of these is critical;
- every format groups the findings by layer (in apply order; an unmanaged object takes its parent's layer, else
  the one layer that manages its type, else `lake`), each group with its state and coverage; in JSON each
  finding has `layer` and `summary.layers` counts per layer.

A single state (an unsplit root) still works: its findings are not grouped.

How it works: every managed resource is read by the adapter for its type (in a thread pool, with botocore's
adaptive retries; shared bulk reads such as one `GetAccountAuthorizationDetails` for every role and one
`GetTables` per database keep it under two API calls per resource). Both sides are normalised, then diffed with
deepdiff. Each adapter then looks for unmanaged objects in the lake's scope. Finally the state is rebuilt from
the live readings (plus the unmanaged objects) and the invariant checks of `policies` run on it: a drift that
breaks an invariant the recorded state did not break is critical. `--only` / `--skip` filter resource types or
addresses before anything is read.
"""


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out


def _doc(obj) -> str:
    return inspect.cleandoc(obj.__doc__ or "")


def render() -> str:
    lines = [INTRO, "## Finding kinds", ""]
    lines += _table(("kind", "meaning"), [(f"`{k.value}`", KIND_TEXT[k]) for k in Kind])
    lines += ["", "## Severities", ""]
    lines += _table(("severity", "meaning"), [(f"`{s.value}`", SEVERITY_TEXT[s]) for s in Severity])
    lines += ["", "## Remedies", "", "Each finding carries the command a person runs. For an address `A`:", ""]
    lines += _table(
        ("kind", "remedy"),
        [
            (kind, f"`{text}`")
            for kind, text in (
                ("changed", remedy.for_changed("A")),
                ("deleted", remedy.for_deleted("A")),
                ("unmanaged", remedy.for_unmanaged("TYPE", "ID", "<the AWS CLI delete command for it>")),
                ("conflict", remedy.for_conflict("A", "STATE1", "STATE2", "A2")),
                ("unknown (denied)", remedy.for_unknown("denied", "<the adapter's read calls>")),
                ("unknown (no adapter)", remedy.for_unknown("no adapter", "")),
            )
        ],
    )
    lines += [
        "",
        "`terraform state rm` is only ever suggested for a deletion that was intended, or to end a conflict "
        "(it forgets the object in one state; AWS keeps it).",
        "",
    ]
    lines += ["## Exit codes", ""]
    lines += _table(
        ("code", "meaning"),
        [
            (
                str(EXIT_CLEAN),
                "no drift (unknown and ignored findings do not count); with `--fail-on critical`: no critical drift",
            ),
            (
                str(EXIT_DRIFT),
                "drift: any deleted/changed/unmanaged/conflict finding not ignored (`--fail-on any`, the default) or any critical one (`--fail-on critical`)",
            ),
            (
                str(EXIT_ERROR),
                "error: unreadable state (any one of the layers), a layer given twice, bad ignore file, no credentials / endpoint unreachable, bad arguments",
            ),
        ],
    )
    lines += ["", "## Ignore file", "", _doc(ignore).split("\n\n", 1)[1], ""]
    lines += ["## Normalisation (no false positives)", "", _doc(normalise), ""]
    lines += ["## Catalog health", "", _doc(catalog_health), ""]
    lines += [
        "It has its own section in every format and a `catalog_issues` count in the summary, and never sets the exit "
        "code; `--no-catalog-health` skips it.",
        "",
    ]
    lines += ["## Outputs", ""]
    lines += [
        "- console: a table on stdout (colour on a terminal; a progress bar on stderr when it is a terminal);",
        "- `--json`: the whole report (`summary` with per-layer counts in `summary.layers`, `broken_invariants`, "
        "`expired_ignores`, `findings` with `layer` and `changes`);",
        "- `--markdown`: a job summary (CI: `>> $GITHUB_STEP_SUMMARY`);",
        "- `--html`: one self-contained page (inline CSS, no scripts, no external assets) for the CI artifact;",
        "- `--previous LAST.json`: each finding marked new or persisting with its first-seen date "
        "(`findings[].history`), fixed ones listed under `resolved`; the Markdown leads with what changed.",
        "",
        "The nightly workflow `.github/workflows/drift-nightly.yml` runs it with the drift-reader role (OIDC) over the "
        "four layers' state objects (`--state-prefix s3://<TF_STATE_BUCKET>/<TF_STATE_KEY_PREFIX>/`), passing the "
        "previous run's JSON report as `--previous`.",
        "",
    ]
    registry = adapters()
    lines += [
        f"## Adapters ({len(registry)} resource types)",
        "",
        "One file per type in `drift/adapters/`; adding a type is one new file.",
        "",
    ]
    lines += _table(
        ("resource type", "reads", "compares / finds"),
        [(f"`{t}`", a.api, a.compares) for t, a in registry.items()],
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate docs/drift.md from the drift checker's code.")
    parser.add_argument("--check", type=Path, metavar="PATH", help="exit 1 if PATH differs from the generated page")
    args = parser.parse_args(argv)
    return emit(render(), args.check, "drift.docs")


def emit(text: str, check: Path | None, module: str) -> int:
    """Print a generated page, or with ``check`` exit 1 when that committed file differs from it."""
    if check:
        if not check.is_file() or check.read_text(encoding="utf-8") != text:
            print(f"{check} is stale: run python -m {module} > {check}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
