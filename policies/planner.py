"""Produce a plan JSON of a Terraform root against a local AWS endpoint (moto on loopback).

The I/O edge of ``lake policy plan`` and of the mutation suite: everything else reads the plan as data.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from lake import REPO_ROOT
from policies.errors import PolicyInputError

DIST = REPO_ROOT / "dist"


def artifacts(dist: Path = DIST) -> tuple[Path, Path]:
    handler_zip, layer_zip = dist / "handler.zip", dist / "pyarrow-layer.zip"
    for path in (handler_zip, layer_zip):
        if not path.is_file():
            raise PolicyInputError(f"{path}: not built; run `lake build` before `lake policy plan`")
    return handler_zip, layer_zip


def plan_with(
    aws: Any,
    config_dir: Path,
    workdir: Path,
    variables: dict | None = None,
    zips: tuple[Path, Path] | None = None,
) -> dict:
    """init + plan ``config_dir`` against ``aws`` (a LocalAWS); returns ``terraform show -json`` of the plan."""
    from lake.deploy import LocalLake

    handler_zip, layer_zip = zips or artifacts()
    lake = LocalLake(aws, workdir, handler_zip, layer_zip, config_dir=config_dir, variables=variables)
    try:
        lake.init()
        return lake.plan_json()
    finally:
        lake.close()


def plan_local(config_dir: Path | None = None, endpoint: str | None = None, workdir: Path | None = None) -> dict:
    from lake.deploy import LOCAL_ENV_DIR
    from lake.local_aws import LocalAWS

    config_dir = Path(config_dir or LOCAL_ENV_DIR)
    workdir = Path(workdir or tempfile.mkdtemp(prefix="lake-policy-plan-"))
    aws = LocalAWS.attach(endpoint) if endpoint else LocalAWS.start()
    try:
        return plan_with(aws, config_dir, workdir)
    finally:
        aws.stop()
