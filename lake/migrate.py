"""``lake infra migrate-state``: move a lake that runs as one Terraform state into the four layer states.

A lake deployed before the split (:mod:`lake.layers`) has one state whose root calls ``module "lake"``; every
address starts ``module.lake.``. The split roots call ``module "<layer>"`` with the same child modules, so each
part of the old state moves, unchanged, to one layer: ``module.lake.module.s3`` becomes
``module.foundation.module.s3`` and so on (:data:`RULES`). Nothing in AWS is touched; after the move each layer's
``terraform plan`` shows no resource to create or destroy.

The pure core (:func:`map_address`, :func:`plan_migration`, :func:`backend_configs`, :func:`state_mv_commands`)
decides what moves where. :func:`migrate` is the I/O edge: it reads the old state (a file or ``s3://`` object;
read-only), runs ``terraform state mv -state=<copy> -state-out=<layer file>`` on a copy in a scratch directory,
checks every resource arrived where the plan says, and ``terraform state push``-es each layer file into the
backend of its layer root. The old state is never written: it stays the backup.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from drift.state import instance_address, parse_state, read_state_document
from lake.errors import LakeError
from lake.layers import LAYERS, SINGLE, layer_of, layer_roots
from lake.terraform import Terraform

LEGACY_MODULE = "module.lake"  # the single-state root's one module call
LAYER_PLACEHOLDER = "{layer}"  # in a --backend-config value: the layer's name
MOVES, OLD_COPY = "moves", "old.tfstate"  # in the scratch directory: where the copy and the layer files are


class MigrationError(LakeError):
    """The old state, the target environment or a layer's backend is not what a migration can start from."""


@dataclass(frozen=True)
class Rule:
    """One part of the single-state lake (a module call or a resource) and where it lives after the split."""

    source: str
    layer: str
    target: str

    def covers(self, address: str) -> bool:
        """Whether ``address`` (a resource, with or without an instance key) is this part or inside it."""
        return address == self.source or address.startswith((self.source + ".", self.source + "["))

    def moved(self, address: str) -> str:
        return self.target + address[len(self.source) :]


# Every managed part of the single-state root (tests/infra/pre_split/lake/main.tf) and its layer
# (infra/layers/<layer>/main.tf). Data sources inside a moved module move with it.
RULES: tuple[Rule, ...] = (
    Rule("module.lake.module.s3", "foundation", "module.foundation.module.s3"),
    Rule("module.lake.module.iam", "foundation", "module.foundation.module.iam"),
    Rule("module.lake.module.lambda", "ingestion", "module.ingestion.module.lambda"),
    Rule(
        "module.lake.aws_lambda_permission.raw_invokes_etl",
        "ingestion",
        "module.ingestion.aws_lambda_permission.raw_invokes_etl",
    ),
    Rule("module.lake.aws_s3_bucket_notification.raw", "ingestion", "module.ingestion.aws_s3_bucket_notification.raw"),
    Rule("module.lake.module.glue", "catalog", "module.catalog.module.glue"),
    Rule("module.lake.module.alarms", "catalog", "module.catalog.module.alarms"),
    Rule("module.lake.module.athena", "query", "module.query.module.athena"),
)


# --------------------------------------------------------------------------- pure: what moves where


def map_address(address: str) -> tuple[str, str] | None:
    """``(layer, new address)`` of a single-state resource address, or None when no rule covers it."""
    for rule in RULES:
        if rule.covers(address):
            return rule.layer, rule.moved(address)
    return None


@dataclass(frozen=True)
class Migration:
    """What a migration of one state does: the moves in order, and every resource's old and new address."""

    source: str
    moves: tuple[Rule, ...]  # only the rules with something to move, in RULES order
    addresses: dict[str, tuple[str, str]]  # old resource address -> (layer, new address)
    left_behind: tuple[str, ...]  # data sources of module.lake itself: read again at plan, nothing to move
    instances: dict[str, int] = field(default_factory=dict)  # layer -> managed instances it receives

    def expected(self, layer: str) -> set[str]:
        """The resource addresses (no instance keys) ``layer``'s state holds after the move."""
        return {new for got, new in self.addresses.values() if got == layer}

    def layers(self) -> list[str]:
        return [layer for layer in LAYERS if self.expected(layer)]


def resource_address(resource: Mapping) -> str:
    """The address of a state ``resources[]`` entry (a resource, all its instances)."""
    return instance_address(dict(resource))


def plan_migration(doc: object, source: str) -> Migration:
    """The migration of a single-state lake's state document, or a MigrationError naming what stops it."""
    managed = parse_state(doc, source)  # validates: a tfstate v4 document with attributes on every instance
    resources = doc["resources"] or []
    addresses = [resource_address(r) for r in resources]
    legacy = [a for a in addresses if a == LEGACY_MODULE or a.startswith(LEGACY_MODULE + ".")]
    if not legacy:
        layered = sorted({layer_of(a) for a in addresses} - {None})
        what = (
            f"it holds layer resources ({', '.join(layered)}): already split" if layered else "no module.lake resources"
        )
        raise MigrationError(f"{source}: not a single-state lake ({what})")
    mapped: dict[str, tuple[str, str]] = {}
    left_behind: list[str] = []
    unknown: list[str] = []
    for resource, address in zip(resources, addresses, strict=True):
        target = map_address(address)
        if target is not None:
            mapped[address] = target
        elif resource.get("mode") == "data" and resource.get("module") == LEGACY_MODULE:
            left_behind.append(address)
        else:
            unknown.append(address)
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise MigrationError(
            f"{source}: {len(unknown)} resource(s) no layer takes: {shown} (move or remove them by hand first)"
        )
    instances = {layer: 0 for layer in LAYERS}
    for item in managed:
        instances[map_address(item.address)[0]] += 1
    moves = tuple(rule for rule in RULES if any(rule.covers(a) for a in mapped))
    return Migration(source, moves, mapped, tuple(left_behind), {k: v for k, v in instances.items() if v})


def backend_configs(settings: Sequence[str], layers: Iterable[str] = LAYERS) -> dict[str, dict[str, str]]:
    """Layer -> its ``-backend-config`` values from ``KEY=VALUE`` settings, ``{layer}`` replaced by its name.

    Settings that would give two layers one state (none names ``{layer}``) are refused."""
    pairs: list[tuple[str, str]] = []
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or not key.strip():
            raise MigrationError(f"--backend-config {setting!r}: expected KEY=VALUE, e.g. key=lake/{{layer}}.tfstate")
        pairs.append((key.strip(), value))
    if pairs and not any(LAYER_PLACEHOLDER in value for _, value in pairs):
        raise MigrationError(
            "--backend-config: every layer would share one state; put {layer} in the state's path or key, "
            "e.g. path=/var/lake/{layer}.tfstate or key=lake/{layer}.tfstate"
        )
    return {layer: {key: value.replace(LAYER_PLACEHOLDER, layer) for key, value in pairs} for layer in layers}


def state_mv_commands(migration: Migration, old: str = "old.tfstate", out: str = "{layer}.tfstate") -> list[str]:
    """The ``terraform state mv`` commands of the migration, as a person would type them."""
    return [
        f"terraform state mv -state={old} -state-out={out.replace(LAYER_PLACEHOLDER, rule.layer)} {rule.source} {rule.target}"
        for rule in migration.moves
    ]


def push_commands(
    migration: Migration, roots: Mapping[str, Path], configs: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """The ``terraform init`` and ``state push`` of each receiving layer root, as a person would type them."""
    commands = []
    for layer in migration.layers():
        settings = "".join(f" -backend-config={key}={value}" for key, value in configs[layer].items())
        commands.append(f"terraform -chdir={roots[layer]} init{settings}")
        commands.append(f"terraform -chdir={roots[layer]} state push {layer}.tfstate")
    return commands


def missing_or_extra(expected: set[str], doc: object) -> tuple[set[str], set[str]]:
    """The addresses ``expected`` that the state document lacks, and those it has that were not expected."""
    present = {resource_address(r) for r in (doc or {}).get("resources") or []} if isinstance(doc, dict) else set()
    return expected - present, present - expected


def describe(migration: Migration) -> list[str]:
    """The migration as lines: each move with its layer, and what stays behind."""
    lines = []
    for rule in migration.moves:
        count = sum(1 for a in migration.addresses if rule.covers(a))
        lines.append(f"  {rule.layer:<10} {rule.source} -> {rule.target} ({count} resource(s))")
    for address in migration.left_behind:
        lines.append(f"  {'-':<10} {address}: a data source, read again at plan (not moved)")
    return lines


# --------------------------------------------------------------------------- I/O: the migration


@dataclass
class Result:
    migration: Migration
    pushed: dict[str, int]  # layer -> resources (addresses) now in its backend


def migrate(
    source: str,
    env_dir: Path,
    settings: Sequence[str] = (),
    dry_run: bool = False,
    out: Callable[[str], None] = print,
    s3_client: Callable[[], object] | None = None,
    env: Mapping[str, str] | None = None,
    scratch: Path | None = None,
) -> Result:
    """Move the single-state lake at ``source`` into the layer roots of ``env_dir`` (``infra/envs/<env>``).

    ``settings`` are ``KEY=VALUE`` backend settings given to ``terraform init`` of every layer root, ``{layer}``
    replaced by the layer's name. ``env`` is extra environment for Terraform (credentials, endpoints). The
    scratch directory (a temp dir unless given) holds the copy and the layer files; it is removed after a
    migration that went through, kept (and named) after one that did not."""
    roots = _layer_roots(env_dir)
    configs = backend_configs(settings, roots)
    doc = read_state_document(source, s3_client)  # read once, never written
    migration = plan_migration(doc, source)
    out(f"{source}: {sum(migration.instances.values())} managed resource instance(s) into {', '.join(roots)}")
    for line in describe(migration):
        out(line)
    if dry_run:
        out("dry run: nothing read from the layers' backends, nothing written. The same by hand:")
        for command in [*state_mv_commands(migration), *push_commands(migration, roots, configs)]:
            out(f"  {command}")
        return Result(migration, {})
    work = Path(scratch) if scratch is not None else Path(tempfile.mkdtemp(prefix="lake-migrate-"))
    try:
        pushed = _run(migration, doc, roots, configs, work, out, dict(env or {}))
    except BaseException:
        if (work / MOVES / OLD_COPY).exists():  # something was moved: keep it for reading
            out(f"migration stopped: nothing pushed after the failing step; working copies kept in {work}")
        elif scratch is None:
            shutil.rmtree(work, ignore_errors=True)
        raise
    if scratch is None:
        shutil.rmtree(work, ignore_errors=True)
    out(
        f"done: {source} is unchanged; keep it as the backup until `terraform plan` of every layer shows nothing "
        "to create or destroy"
    )
    return Result(migration, pushed)


def _layer_roots(env_dir: Path) -> dict[str, Path]:
    roots = layer_roots(Path(env_dir))
    if SINGLE in roots:
        raise MigrationError(
            f"{env_dir}: a single Terraform root; --to takes a layered environment such as infra/envs/aws"
        )
    return roots


def _run(
    migration: Migration,
    doc: dict,
    roots: Mapping[str, Path],
    configs: Mapping[str, Mapping[str, str]],
    work: Path,
    out: Callable[[str], None],
    env: dict[str, str],
) -> dict[str, int]:
    moves_dir = work / MOVES  # no configuration here: `state mv -state` works on plain files
    moves_dir.mkdir(parents=True, exist_ok=True)
    terraforms = {layer: Terraform(root, data_dir=work / "tf-data" / layer, env=env) for layer, root in roots.items()}
    mover = Terraform(moves_dir, env=env)
    try:
        layer_files = _start_layer_files(terraforms, configs, moves_dir, out)
        old_copy = moves_dir / OLD_COPY  # the copy the moves work on: the old state itself is only read
        old_copy.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        for rule in migration.moves:
            mover.run(
                "state", "mv", f"-state={old_copy}", f"-state-out={layer_files[rule.layer]}", rule.source, rule.target
            )
        receiving = migration.layers()  # a layer with nothing to receive keeps its (empty) state
        for layer in receiving:
            path = layer_files[layer]
            _verify(migration.expected(layer), json.loads(path.read_text()), f"{layer} (moved copy {path})")
        _verify(set(migration.left_behind), json.loads(old_copy.read_text()), f"the rest of the copy {old_copy}")
        pushed: dict[str, int] = {}
        for layer in receiving:
            tf = terraforms[layer]
            tf.run("state", "push", str(layer_files[layer]))
            _verify(migration.expected(layer), tf.state_pull(), f"{layer}'s backend after the push")
            pushed[layer] = len(migration.expected(layer))
            out(f"  pushed {layer}: {pushed[layer]} resource(s), {migration.instances.get(layer, 0)} instance(s)")
        return pushed
    finally:
        mover.close()
        for tf in terraforms.values():
            tf.close()


def _start_layer_files(
    terraforms: Mapping[str, Terraform], configs: Mapping[str, Mapping[str, str]], moves_dir: Path, out
) -> dict[str, Path]:
    """Init every layer root with its backend and refuse when one already manages something. A layer whose
    backend holds an empty state starts from it (its lineage), so the push needs no ``-force``."""
    files: dict[str, Path] = {}
    for layer, tf in terraforms.items():
        tf.init(backend_config=configs[layer])
        current = tf.state_pull()
        held = [resource_address(r) for r in current.get("resources") or []]
        if held:
            raise MigrationError(
                f"layer {layer} ({tf.chdir}): its state already has {len(held)} resource(s), e.g. {held[0]}; "
                "a migration only fills empty layer states"
            )
        files[layer] = moves_dir / f"{layer}.tfstate"
        if current:
            files[layer].write_text(json.dumps(current, indent=2), encoding="utf-8")
        out(f"  {layer}: backend ready, empty")
    return files


def _verify(expected: set[str], doc: object, where: str) -> None:
    missing, extra = missing_or_extra(expected, doc)
    if missing or extra:
        raise MigrationError(
            f"{where}: {len(missing)} resource(s) missing ({', '.join(sorted(missing)[:3])}), "
            f"{len(extra)} unexpected ({', '.join(sorted(extra)[:3])}); nothing more is pushed"
        )


# --------------------------------------------------------------------------- the command


def register(infra_sub) -> None:
    """``lake infra migrate-state`` (``infra_sub``: the ``lake infra`` subparsers)."""
    p = infra_sub.add_parser(
        "migrate-state",
        help="move a single-state lake (module.lake) into the four layer states, resource by resource",
        description=(
            "Reads the old state (never writes it), moves each part into its layer with `terraform state mv` on a "
            "copy, and pushes each layer's state into the backend of its root. Nothing in AWS changes."
        ),
    )
    p.add_argument(
        "--from", dest="source", required=True, metavar="STATE", help="the single-state lake: a file or s3://bucket/key"
    )
    p.add_argument(
        "--to",
        dest="env_dir",
        required=True,
        type=Path,
        metavar="ENV",
        help="the layered environment, e.g. infra/envs/aws",
    )
    p.add_argument(
        "--backend-config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="backend setting for `terraform init` of every layer root, {layer} replaced by the layer "
        "(repeatable): bucket=my-tf-state key=lake/{layer}.tfstate region=eu-west-1, or path=/var/lake/{layer}.tfstate",
    )
    p.add_argument("--dry-run", action="store_true", help="print the moves (and the same by hand), change nothing")
    p.add_argument("--endpoint-url", help="S3 endpoint for an s3:// --from (local moto: http://127.0.0.1:5000)")
    p.add_argument("--region", help="AWS region for an s3:// --from")
    p.add_argument("--profile", help="AWS profile for an s3:// --from")
    p.set_defaults(func=cmd_migrate_state)


def cmd_migrate_state(args) -> int:
    def s3_client():
        import boto3

        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        return session.client("s3", endpoint_url=args.endpoint_url)

    migrate(
        args.source,
        args.env_dir,
        args.backend_config,
        dry_run=args.dry_run,
        out=lambda line: print(line, flush=True),
        s3_client=s3_client,
    )
    return 0
