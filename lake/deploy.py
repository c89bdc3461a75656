"""Deploy the lake's Terraform (``infra/envs/local``) against a local AWS endpoint.

:class:`LocalLake` is one Terraform working copy of the local environment: its data dir (providers, modules)
and its state file live under ``workdir``, never inside the repository, so several lakes (tests, ``lake up``,
``lake demo``) can exist side by side. Terraform itself runs through :class:`lake.terraform.Terraform`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from lake.errors import LakeError
from lake.local_aws import LocalAWS
from lake.terraform import Terraform
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
    """``infra/envs/local`` (or another root with the same variables) applied against ``aws``.

    ``config_dir`` defaults to the checkout's ``infra/envs/local`` (see :mod:`lake.workspace`); ``workdir`` must lie
    outside the checkout that holds ``config_dir``.

    ``variables`` are extra Terraform variables (e.g. ``{"datasets": {...}}``); the endpoint, region and artifact
    paths are always set from ``aws``, ``handler_zip`` and ``layer_zip``.
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
        self.state_path = self.workdir / "terraform.tfstate"
        self.terraform = Terraform(self.config_dir, data_dir=self.workdir / "tf-data", env=aws.environment())
        self.outputs: dict = {}
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ inputs

    def tf_variables(self) -> dict[str, object]:
        return {
            **self.aws.terraform_variables(),
            "handler_zip": str(self.handler_zip),
            "layer_zip": str(self.layer_zip),
            **self.variables,
        }

    # ------------------------------------------------------------------ commands

    def init(self) -> None:
        with self._timed("init"):
            self.terraform.init(backend_config={"path": str(self.state_path)})

    def apply(self) -> dict:
        """Apply and return the outputs (also kept in ``.outputs``)."""
        with self._timed("apply"):
            self.terraform.apply(variables=self.tf_variables(), parallelism=self.parallelism)
        self.outputs = self.terraform.output()
        return self.outputs

    def plan_json(self) -> dict:
        """``terraform show -json`` of a fresh plan (the plan file stays in ``workdir``)."""
        with self._timed("plan"):
            return self.terraform.plan_json(self.workdir, variables=self.tf_variables())

    def plan_exitcode(self) -> int:
        """``terraform plan -detailed-exitcode``: 0 nothing to do, 2 changes pending."""
        with self._timed("plan"):
            return self.terraform.plan(
                variables=self.tf_variables(),
                detailed_exitcode=True,
                extra=(f"-parallelism={self.parallelism}",),
            )

    def destroy(self) -> None:
        with self._timed("destroy"):
            self.terraform.destroy(variables=self.tf_variables(), parallelism=self.parallelism)
        self.outputs = {}

    def state(self) -> dict:
        """The Terraform state as JSON (``terraform state pull``)."""
        return self.terraform.state_pull()

    def close(self) -> None:
        self.terraform.close()

    def __enter__(self) -> LocalLake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    def _timed(self, step: str):
        return _Timer(self.timings, step)


class _Timer:
    def __init__(self, sink: dict[str, float], key: str) -> None:
        self.sink, self.key = sink, key

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.sink[self.key] = self.sink.get(self.key, 0.0) + time.perf_counter() - self.start
