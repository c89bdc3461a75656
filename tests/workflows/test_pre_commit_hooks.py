""".pre-commit-hooks.yaml offers `lake policy check` and `lake infra check` as pre-commit hooks that run the
installed harness on the checkout they are run in."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from lake.cli import build_parser
from lake.workspace import resolve

HOOKS_FILE = resolve(Path(__file__).parent).root / ".pre-commit-hooks.yaml"
REQUIRED_KEYS = {"id", "name", "entry", "language"}


def hooks() -> list[dict]:
    return yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))


def test_the_two_hooks_are_offered():
    assert [h["id"] for h in hooks()] == ["lake-policy-check", "lake-infra-check"]


@pytest.mark.parametrize("hook", hooks(), ids=lambda h: h["id"])
def test_each_hook_is_a_lake_command_the_installed_harness_understands(hook):
    assert hook.keys() >= REQUIRED_KEYS
    assert hook["language"] == "python"  # pre-commit pip-installs this repository: the non-editable path
    assert hook["pass_filenames"] is False  # the checks read the whole checkout, not the changed files
    argv = shlex.split(hook["entry"])
    assert argv[0] == "lake"
    args = build_parser().parse_args(argv[1:])
    assert callable(args.func)


@pytest.mark.parametrize(
    ("hook_id", "path", "runs"),
    [
        ("lake-policy-check", "infra/modules/s3/main.tf", True),
        ("lake-policy-check", "infra/envs/aws/lake.tfvars", True),
        ("lake-policy-check", "infra/layers/catalog/main.tf", True),
        ("lake-policy-check", "contracts/users/v1.json", True),
        ("lake-policy-check", "README.md", False),
        ("lake-infra-check", "infra/envs/local/ingestion/main.tf", True),
        ("lake-infra-check", "handler/app.py", False),
    ],
)
def test_hooks_run_when_terraform_or_contracts_change(hook_id, path, runs):
    (hook,) = [h for h in hooks() if h["id"] == hook_id]
    assert bool(re.search(hook["files"], path)) is runs
