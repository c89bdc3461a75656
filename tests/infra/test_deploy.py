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
    for layer in lake.layers:  # every layer root declares the env's common variables
        assert lake.tf_variables(layer) == {
            "aws_endpoint": "http://127.0.0.1:9",
            "aws_region": "us-east-1",
            "handler_zip": str(handler_zip.resolve()),
            "layer_zip": str(layer_zip.resolve()),
            "name_prefix": "lake-x",
        }
        assert lake.terraforms[layer].env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert lake.config_dir == CHECKOUT.local_env
    assert lake.layers == ["foundation", "ingestion", "catalog", "query"] and lake.layered
    assert lake.state_paths == {layer: (tmp_path / "w" / f"{layer}.tfstate").resolve() for layer in lake.layers}
    assert lake.workdir.is_dir() and not list(lake.workdir.glob("*.tfstate"))
    with pytest.raises(DeployError, match="state_path needs a layer"):
        lake.state_path  # noqa: B018
    lake.close()


def test_a_single_root_is_one_layer_with_one_state_and_only_its_own_variables(tmp_path, lake_artifacts):
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('variable "name_prefix" {\n  type = string\n}\n')
    handler_zip, layer_zip = lake_artifacts
    lake = LocalLake(UNREACHED, tmp_path / "w", handler_zip, layer_zip, config_dir=root, variables={"name_prefix": "x"})
    assert lake.layers == [""] and not lake.layered
    assert lake.state_path == (tmp_path / "w" / "terraform.tfstate").resolve()
    assert lake.tf_variables() == {"name_prefix": "x"}  # a root is never given a variable it does not declare
    lake.close()


def test_apply_waves_put_foundation_first_and_the_rest_side_by_side():
    from lake.layers import waves

    assert waves(["query", "catalog", "ingestion", "foundation"]) == [
        ["foundation"],
        ["ingestion", "catalog", "query"],
    ]
    assert waves(["catalog"]) == [["catalog"]]


def test_a_state_belongs_to_the_one_layer_its_addresses_name_or_to_its_label():
    from lake.layers import SINGLE, ForeignLayer, LayerError, state_layer

    catalog = ["module.catalog.module.glue.aws_glue_crawler.this", "module.catalog.aws_glue_catalog_table.t"]
    assert state_layer(catalog) == "catalog"
    # a resource written beside the module call in the layer's root belongs to that layer's state
    assert state_layer([*catalog, "aws_s3_bucket.extra"]) == "catalog"
    assert state_layer(["aws_s3_bucket.extra"]) == SINGLE  # an unsplit state
    assert state_layer([*catalog, "module.query.aws_athena_workgroup.w"]) == SINGLE  # two layers: mixed
    assert state_layer([], "query") == "query"  # a layer not applied yet: its label says which it is
    with pytest.raises(ForeignLayer) as wrong:
        state_layer(catalog, "foundation")
    assert wrong.value.found == {"catalog": catalog[0]}
    assert str(wrong.value) == f"given as layer foundation but it manages catalog resources ({catalog[0]})"
    with pytest.raises(LayerError, match=r"unknown layer 'glue' \(the layers are foundation, ingestion"):
        state_layer(catalog, "glue")
