"""Checks of the Terraform source that need no AWS endpoint: formatting, typed and described inputs, and the
native ``terraform test`` suites (mock provider)."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from lake.terraform import Terraform
from lake.workspace import resolve

INFRA_DIR = resolve(Path(__file__).parent).infra

MODULE_DIRS = sorted(p for p in (INFRA_DIR / "modules").iterdir() if p.is_dir())
LAYER_DIRS = sorted(p for p in (INFRA_DIR / "layers").iterdir() if p.is_dir())
ROOT_DIRS = sorted(
    p for env in ("local", "aws") for p in (INFRA_DIR / "envs" / env).iterdir() if p.is_dir() and p.name != "common"
)


def load(path: Path) -> dict:
    with path.open() as fh:
        return hcl2.load(fh)


def unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def test_terraform_fmt_is_clean():
    assert Terraform(INFRA_DIR).fmt_check() == []


@pytest.mark.parametrize(
    "directory", MODULE_DIRS + LAYER_DIRS + ROOT_DIRS, ids=lambda p: str(p.relative_to(INFRA_DIR)) or "."
)
def test_every_variable_is_typed_and_described_and_every_output_described(directory):
    variables = [
        (n, spec) for block in load(directory / "variables.tf").get("variable", []) for n, spec in block.items()
    ]
    outputs = [(n, spec) for block in load(directory / "outputs.tf").get("output", []) for n, spec in block.items()]
    assert variables and outputs
    for name, spec in variables:
        assert "type" in spec and unquote(spec.get("description", "")), f"{directory}: variable {name}"
    for name, spec in outputs:
        assert unquote(spec.get("description", "")), f"{directory}: output {name}"
    assert (directory / "README.md").is_file() or (directory.parent / "README.md").is_file()


@pytest.mark.parametrize(
    "directory",
    [*MODULE_DIRS, *LAYER_DIRS, INFRA_DIR / "envs" / "local" / "common", INFRA_DIR / "envs" / "aws" / "common"],
    ids=lambda p: str(p.relative_to(INFRA_DIR)),
)
def test_versions_pin_terraform_and_the_aws_provider(directory):
    (terraform,) = load(directory / "versions.tf")["terraform"]
    assert unquote(terraform["required_version"]) == ">= 1.10"
    code = {k for path in directory.glob("*.tf") for k in load(path)}
    if not code & {"resource", "data", "module", "provider"}:  # infra/modules/names only computes names
        assert "required_providers" not in terraform
        return
    aws = terraform["required_providers"][0]["aws"]
    assert unquote(aws["version"]) == "~> 5.100"


@pytest.mark.e2e
def test_native_terraform_tests_of_the_s3_module_pass(tmp_path):
    tf = Terraform(INFRA_DIR / "modules" / "s3", data_dir=tmp_path)
    try:
        tf.init(backend=False)
        result = tf.run("test", "-no-color", check=False)
    finally:
        tf.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout
