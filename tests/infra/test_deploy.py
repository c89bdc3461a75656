"""lake.deploy.LocalLake input checks (no endpoint needed: nothing here talks to it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lake.deploy import DeployError, LocalLake
from lake.local_aws import LocalAWS
from lake.workspace import resolve

CHECKOUT = resolve(Path(__file__).parent)

UNREACHED = LocalAWS(endpoint="http://127.0.0.1:9")


def test_state_and_data_never_go_inside_the_repository(lake_artifacts):
    with pytest.raises(DeployError, match="out of the repository"):
        LocalLake(UNREACHED, CHECKOUT.root / ".lake-state", *lake_artifacts)


def test_a_missing_artifact_is_named_with_the_fix(tmp_path, lake_artifacts):
    handler_zip, _ = lake_artifacts
    with pytest.raises(DeployError, match=r"missing-layer\.zip: pyarrow layer not found \(run `lake build` first\)"):
        LocalLake(UNREACHED, tmp_path, handler_zip, tmp_path / "missing-layer.zip")


def test_variables_point_terraform_at_the_endpoint_and_the_artifacts(tmp_path, lake_artifacts):
    handler_zip, layer_zip = lake_artifacts
    lake = LocalLake(UNREACHED, tmp_path / "w", handler_zip, layer_zip, variables={"name_prefix": "lake-x"})
    assert lake.tf_variables() == {
        "aws_endpoint": "http://127.0.0.1:9",
        "aws_region": "us-east-1",
        "handler_zip": str(handler_zip.resolve()),
        "layer_zip": str(layer_zip.resolve()),
        "name_prefix": "lake-x",
    }
    assert lake.config_dir == CHECKOUT.local_env
    assert lake.state_path == (tmp_path / "w" / "terraform.tfstate").resolve()
    assert lake.terraform.env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert lake.workdir.is_dir() and not (lake.workdir / "terraform.tfstate").exists()
    lake.close()
