"""Produce a plan JSON of a Terraform root against a local AWS endpoint (moto on loopback).

The I/O edge of ``lake policy plan`` and of the mutation suite: everything else reads the plan as data.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from policies.errors import PolicyInputError


def artifacts(dist: Path) -> tuple[Path, Path]:
    """``dist``'s handler and layer zips, or an error naming the one missing and the command that builds it."""
    handler_zip, layer_zip = Path(dist) / "handler.zip", Path(dist) / "pyarrow-layer.zip"
    for path in (handler_zip, layer_zip):
        if not path.is_file():
            raise PolicyInputError(f"{path}: not built; run `lake build` before `lake policy plan`")
    return handler_zip, layer_zip


def plan_with(
    aws: Any,
    config_dir: Path,
    workdir: Path,
    zips: tuple[Path, Path],
    variables: dict | None = None,
) -> dict[str, dict]:
    """init + plan ``config_dir`` against ``aws`` (a LocalAWS); returns ``terraform show -json`` of each layer's
    plan by layer ("" for a root that is not layered). A layer that reads another at plan time gets that one
    applied first (``LocalLake.plan_jsons``), as it exists in any account where the layer is changed."""
    from lake.deploy import LocalLake

    handler_zip, layer_zip = zips
    lake = LocalLake(aws, workdir, handler_zip, layer_zip, config_dir=config_dir, variables=variables)
    try:
        lake.init()
        return lake.plan_jsons()
    finally:
        lake.close()


def plan_local(
    config_dir: Path, zips: tuple[Path, Path], endpoint: str | None = None, workdir: Path | None = None
) -> dict[str, dict]:
    """Plans of ``config_dir``'s layers against ``endpoint`` (default: a private moto server started for it)."""
    from lake.local_aws import LocalAWS

    workdir = Path(workdir or tempfile.mkdtemp(prefix="lake-policy-plan-"))
    aws = LocalAWS.attach(endpoint) if endpoint else LocalAWS.start()
    try:
        return plan_with(aws, Path(config_dir), workdir, zips)
    finally:
        aws.stop()
