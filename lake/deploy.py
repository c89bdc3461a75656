"""Deploy the lake's Terraform (``infra/envs/local``, four layers) against a local AWS endpoint.

:class:`LocalLake` is one Terraform working copy of the local environment: its data dir (providers, modules)
and its state file live under ``workdir``, never inside the repository, so several lakes (tests, ``lake up``,
``lake demo``) can exist side by side. Terraform itself runs through :class:`lake.terraform.Terraform`.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from lake.errors import LakeError
from lake.layers import PLAN_READS, SINGLE, layer_roots, ordered, waves
from lake.local_aws import LocalAWS
from lake.terraform import Terraform, TerraformError
from lake.workspace import resolve

DEFAULT_PARALLELISM = 20  # moto answers fast; most of a run is Terraform walking the graph


class DeployError(LakeError):
    """The local lake cannot be deployed as asked (missing artifact, bad working directory)."""


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


class LocalLake:
    """``infra/envs/local`` (or another environment or root with the same variables) applied against ``aws``.

    ``config_dir`` defaults to the checkout's ``infra/envs/local`` (see :mod:`lake.workspace`): a layered
    environment (one root per layer, :mod:`lake.layers`) is applied layer by layer in order and destroyed in
    reverse, each layer with its own state file ``workdir/<layer>.tfstate``; a directory that is itself a root is
    one layer with ``workdir/terraform.tfstate``. ``workdir`` must lie outside the checkout that holds
    ``config_dir``.

    ``variables`` are extra Terraform variables (e.g. ``{"datasets": {...}}``); the endpoint, region and artifact
    paths are always set from ``aws``, ``handler_zip`` and ``layer_zip``. Each layer is given the variables its
    root declares.
    """

    def __init__(
        self,
        aws: LocalAWS,
        workdir: Path,
        handler_zip: Path,
        layer_zip: Path,
        config_dir: Path | None = None,
        variables: Mapping[str, object] | None = None,
        parallelism: int = DEFAULT_PARALLELISM,
    ) -> None:
        self.aws = aws
        self.workdir = Path(workdir).resolve()
        self.config_dir = Path(config_dir).resolve() if config_dir is not None else resolve().local_env
        if _inside(self.workdir, resolve(self.config_dir).root):
            raise DeployError(f"{self.workdir}: keep Terraform state and data out of the repository (use a temp dir)")
        self.handler_zip = Path(handler_zip).resolve()
        self.layer_zip = Path(layer_zip).resolve()
        for label, path in (("handler package", self.handler_zip), ("pyarrow layer", self.layer_zip)):
            if not path.is_file():
                raise DeployError(f"{path}: {label} not found (run `lake build` first)")
        self.variables = dict(variables or {})
        self.parallelism = parallelism
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.roots = layer_roots(self.config_dir)
        self.layers = list(self.roots)
        self.declared = {layer: declared_variables(root) for layer, root in self.roots.items()}  # variable names
        self.terraforms = {
            layer: Terraform(root, data_dir=self.workdir / "tf-data" / (layer or "root"), env=aws.environment())
            for layer, root in self.roots.items()
        }
        self.state_paths = {
            layer: self.workdir / (f"{layer}.tfstate" if layer != SINGLE else "terraform.tfstate")
            for layer in self.layers
        }
        self.layer_outputs: dict[str, dict] = {}
        self.outputs: dict = {}
        self.timings: dict[str, float] = {}
        self.runs: list[tuple[str, str, float, float]] = []  # (apply|destroy, layer, started, finished)

    @property
    def layered(self) -> bool:
        return self.layers != [SINGLE]

    @property
    def terraform(self) -> Terraform:
        """The one root's Terraform (a single-root lake only)."""
        self._single("terraform")
        return self.terraforms[SINGLE]

    @property
    def state_path(self) -> Path:
        """The one root's state file (a single-root lake only; a layered lake has ``state_paths``)."""
        self._single("state_path")
        return self.state_paths[SINGLE]

    # ------------------------------------------------------------------ inputs

    def tf_variables(self, layer: str = SINGLE) -> dict[str, object]:
        """The variables for ``layer``'s root: every value the harness sets that the root declares."""
        values = {
            **self.aws.terraform_variables(),
            "handler_zip": str(self.handler_zip),
            "layer_zip": str(self.layer_zip),
            **self.variables,
        }
        declared = self.declared[layer]
        return {k: v for k, v in values.items() if declared is None or k in declared}

    # ------------------------------------------------------------------ commands

    def init(self, layers: list[str] | None = None) -> None:
        with self._timed("init"):
            self._each(
                self._pick(layers),
                lambda layer: self.terraforms[layer].init(backend_config={"path": str(self.state_paths[layer])}),
            )

    def apply(self, layers: list[str] | None = None) -> dict:
        """Apply ``layers`` (default all) in dependency order (:func:`lake.layers.waves`: foundation, then the
        layers that need only it side by side) and return the outputs of every layer (also ``.outputs``)."""

        def apply_one(layer: str) -> None:
            with self._timed(f"apply:{layer or 'root'}"), self._run("apply", layer):
                started = datetime.now(UTC)
                try:
                    self._apply(layer)
                except TerraformError as exc:
                    orphan = conflicting_function(str(exc), tracked_functions(self._state_file(layer)))
                    if orphan is None or not self._created_since(orphan, started):
                        raise self._explained(exc) from None
                    self._delete_orphan(layer, orphan)
                    try:
                        self._apply(layer)
                    except TerraformError as again:
                        raise self._explained(again) from None
            self.layer_outputs[layer] = self.terraforms[layer].output()

        with self._timed("apply"):
            for wave in waves(self._pick(layers)):
                self._each(wave, apply_one)
        self.outputs = merge_outputs(self.layer_outputs)
        return self.outputs

    def _apply(self, layer: str) -> None:
        self.terraforms[layer].apply(variables=self.tf_variables(layer), parallelism=self.parallelism)

    def _explained(self, exc: TerraformError) -> TerraformError:
        """A failed apply's error, followed by what the local AWS server logged going wrong."""
        return TerraformError(with_server_errors(str(exc), self.aws.server_errors()))

    def _created_since(self, function: str, started: datetime) -> bool:
        """Whether ``function`` exists and was created at or after ``started`` (by the apply that began then)."""
        try:
            modified = self.aws.client("lambda").get_function(FunctionName=function)["Configuration"]["LastModified"]
            # AWS writes 2026-12-04T16:31:34.391+0000, moto 2026-12-04T16:31:34.391903000Z: seconds are enough
            created = datetime.strptime(re.sub(r"\.\d+", "", modified), "%Y-%m-%dT%H:%M:%S%z")
        except (BotoCoreError, ClientError, KeyError, ValueError):  # not told: not proven
            return False
        return created >= started - timedelta(seconds=1)

    def _delete_orphan(self, layer: str, function: str) -> None:
        """Delete a Lambda function that a retried create left out of ``layer``'s state (the caller applies again,
        once; a second failure is raised as it is).

        The AWS provider retries a create whose answer it did not get (a failed connection; it happens against AWS
        too: hashicorp/terraform-provider-aws#30135), and the retry fails with ``Function already exist``: the
        first attempt created the function, but the state never heard of it. Only a function this apply created
        (``_created_since``) and its state lacks is deleted.
        """
        print(
            f"lake: {layer}: function {function} was created by this apply but is not in its state (the AWS"
            " provider retried its create and got a conflict); deleting that function and applying again",
            file=sys.stderr,
        )
        self.aws.client("lambda").delete_function(FunctionName=function)

    def _state_file(self, layer: str) -> dict:
        """``layer``'s state file as JSON, or {} when there is none (or it cannot be read)."""
        try:
            return json.loads(self.state_paths[layer].read_text())
        except (OSError, ValueError):
            return {}

    def read_outputs(self) -> dict:
        """The outputs of every applied layer, read from their states."""
        self.layer_outputs = {layer: self.terraforms[layer].output() for layer in self.layers}
        self.outputs = merge_outputs(self.layer_outputs)
        return self.outputs

    def plan_json(self, layer: str | None = None) -> dict:
        """``terraform show -json`` of a fresh plan of ``layer`` (default: the one root of a single-root lake)."""
        layer = self._one(layer, "plan_json")
        plan_dir = self.workdir / "plans" / (layer or "root")
        plan_dir.mkdir(parents=True, exist_ok=True)
        with self._timed("plan"):
            return self.terraforms[layer].plan_json(plan_dir, variables=self.tf_variables(layer))

    def plan_jsons(self, layers: list[str] | None = None, bootstrap: bool = True) -> dict[str, dict]:
        """A plan of each of ``layers`` (default all), planned side by side. A layer that reads another at plan
        time (:data:`lake.layers.PLAN_READS`) needs that one applied: with ``bootstrap`` it is applied first when its
        state is empty (after its own plan is taken), as it would already exist in an account where a single layer
        is changed."""
        picked = self._pick(layers)
        plans: dict[str, dict] = {}

        def missing(layer: str) -> list[str]:
            needed = PLAN_READS.get(layer, ()) if bootstrap else ()
            return [n for n in needed if n in self.layers and not self._has_state(n)]

        later = [layer for layer in picked if missing(layer)]
        to_apply = sorted({n for layer in later for n in missing(layer)})

        def plan_one(layer: str) -> None:
            plans[layer] = self.plan_json(layer)

        self._each([layer for layer in picked if layer not in later], plan_one)
        if later:
            self.apply(to_apply)
            self._each(later, plan_one)
        return {layer: plans[layer] for layer in picked}

    def plan_exitcodes(self, layers: list[str] | None = None) -> dict[str, int]:
        """``terraform plan -detailed-exitcode`` per layer: 0 nothing to do, 2 changes pending."""
        codes: dict[str, int] = {}

        def plan_one(layer: str) -> None:
            codes[layer] = self.terraforms[layer].plan(
                variables=self.tf_variables(layer), detailed_exitcode=True, extra=(f"-parallelism={self.parallelism}",)
            )

        picked = self._pick(layers)
        with self._timed("plan"):
            self._each(picked, plan_one)
        return {layer: codes[layer] for layer in picked}

    def plan_exitcode(self) -> int:
        """``terraform plan -detailed-exitcode`` over every layer: 0 when none has anything to do, else 2."""
        return max(self.plan_exitcodes().values())

    def destroy(self, layers: list[str] | None = None) -> None:
        """Destroy ``layers`` (default all) in reverse dependency order (the apply waves, last first)."""

        def destroy_one(layer: str) -> None:
            with self._run("destroy", layer):
                self.terraforms[layer].destroy(variables=self.tf_variables(layer), parallelism=self.parallelism)
            self.layer_outputs.pop(layer, None)

        with self._timed("destroy"):
            for wave in reversed(waves(self._pick(layers))):
                self._each(wave, destroy_one)
        self.outputs = merge_outputs(self.layer_outputs)

    def state(self) -> dict:
        """The Terraform state as JSON (``terraform state pull``) of a single-root lake."""
        return self.terraforms[self._one(None, "state")].state_pull()

    def states(self) -> dict[str, dict]:
        """Layer -> its Terraform state as JSON, in order."""
        return {layer: self.terraforms[layer].state_pull() for layer in self.layers}

    def close(self) -> None:
        for tf in self.terraforms.values():
            tf.close()

    def __enter__(self) -> LocalLake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    def _each(self, layers: list[str], run: Callable[[str], None]) -> None:
        """``run`` for each layer, side by side (each is a Terraform process waiting on AWS); the first failure,
        in layer order, is raised once all have finished, so no layer is left half-applied by a sibling's error."""
        if len(layers) <= 1:
            for layer in layers:
                run(layer)
            return
        with ThreadPoolExecutor(max_workers=len(layers)) as pool:
            futures = [pool.submit(run, layer) for layer in layers]
        for future in futures:
            future.result()

    def _pick(self, layers: list[str] | None) -> list[str]:
        if layers is None:
            return list(self.layers)
        picked = ordered(layers)
        missing = [layer for layer in picked if layer not in self.roots]
        if missing:
            raise DeployError(f"{self.config_dir}: no layer {', '.join(missing)} here (have: {', '.join(self.layers)})")
        return picked

    def _one(self, layer: str | None, what: str) -> str:
        if layer is not None:
            return self._pick([layer])[0]
        self._single(what)
        return SINGLE

    def _single(self, what: str) -> None:
        if self.layered:
            raise DeployError(
                f"{self.config_dir}: {what} needs a layer ({', '.join(self.layers)}): the lake is layered"
            )

    def _has_state(self, layer: str) -> bool:
        return bool(self._state_file(layer).get("resources"))

    def _timed(self, step: str):
        return _Timer(self.timings, step)

    @contextmanager
    def _run(self, action: str, layer: str) -> Iterator[None]:
        """Record when ``action`` of ``layer`` started and finished (in ``runs``, also when it failed)."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.runs.append((action, layer, started, time.monotonic()))


def with_server_errors(message: str, errors: list[str]) -> str:
    """A failed apply's message, followed by what the local AWS server logged going wrong (a provider that retried
    after a server error can fail on what the first attempt already did: ``Function already exist``)."""
    if not errors:
        return message
    return message + "\n  the local AWS server (moto) logged:\n    " + "\n    ".join(errors)


_FUNCTION_CONFLICT = re.compile(r"ResourceConflictException: Function already exist: ([\w-]+)")


def conflicting_function(message: str, tracked: set[str]) -> str | None:
    """The Lambda function a failed apply could not create because it already exists and that its state does not
    hold (``tracked``), or None: never a function Terraform manages."""
    m = _FUNCTION_CONFLICT.search(message)
    return m.group(1) if m is not None and m.group(1) not in tracked else None


def tracked_functions(state: dict) -> set[str]:
    """The names of the Lambda functions in a Terraform state file (JSON)."""
    return {
        str(instance.get("attributes", {}).get("function_name"))
        for resource in state.get("resources", [])
        if resource.get("type") == "aws_lambda_function"
        for instance in resource.get("instances", [])
    }


def merge_outputs(layer_outputs: Mapping[str, dict]) -> dict:
    """The outputs of every layer as one mapping (layer output names are unique across layers)."""
    merged: dict = {}
    for outputs in layer_outputs.values():
        merged.update(outputs)
    return merged


def declared_variables(root: Path) -> set[str] | None:
    """Names of the variables a root declares (read from its .tf files), or None when they cannot be read."""
    import hcl2

    names: set[str] = set()
    try:
        for path in sorted(Path(root).glob("*.tf")):
            for block in hcl2.loads(path.read_text(encoding="utf-8")).get("variable", []) or []:
                names.update(name.strip('"') for name in block)
    except Exception:  # unreadable HCL: let Terraform report it, pass everything
        return None
    return names


class _Timer:
    def __init__(self, sink: dict[str, float], key: str) -> None:
        self.sink, self.key = sink, key

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.sink[self.key] = self.sink.get(self.key, 0.0) + time.perf_counter() - self.start
