"""lake.workspace: the checkout's paths come from flags, then [tool.lake], then the working directory; never from
where the package is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from lake.cli import main
from lake.workspace import WorkspaceError, resolve, workspace_from

PYPROJECT_WITH_TABLE = '[project]\nname = "x"\n\n[tool.lake]\ninfra = "terraform"\ndist = "build/artifacts"\n'


def test_tool_lake_is_found_from_a_subdirectory_and_its_paths_are_relative_to_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT_WITH_TABLE)
    sub = tmp_path / "terraform" / "envs" / "aws"
    sub.mkdir(parents=True)
    ws = resolve(sub)
    assert ws.root == tmp_path.resolve()
    assert ws.infra == tmp_path.resolve() / "terraform"
    assert ws.aws_env == tmp_path.resolve() / "terraform" / "envs" / "aws"
    assert ws.dist == tmp_path.resolve() / "build" / "artifacts"
    assert ws.contracts == tmp_path.resolve() / "contracts"  # not in the table: the conventional name
    assert ws.handler_zip == ws.dist / "handler.zip"
    assert str(tmp_path / "pyproject.toml") in ws.origin


def test_a_pyproject_without_tool_lake_is_passed_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT_WITH_TABLE)
    inner = tmp_path / "tools"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "tools"\n')
    assert resolve(inner).root == tmp_path.resolve()


def test_without_any_tool_lake_the_working_directory_conventions_hold(tmp_path):
    ws = resolve(tmp_path)
    assert (ws.root, ws.infra, ws.dist) == (
        tmp_path.resolve(),
        tmp_path.resolve() / "infra",
        tmp_path.resolve() / "dist",
    )
    assert ws.suppressions == tmp_path.resolve() / ".lake-policy-suppressions.json"
    assert ws.local_env == tmp_path.resolve() / "infra" / "envs" / "local"


def test_flags_win_over_the_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT_WITH_TABLE)
    ws = resolve(tmp_path, {"infra": tmp_path / "elsewhere", "dist": None})
    assert ws.infra == (tmp_path / "elsewhere").resolve()
    assert ws.dist == tmp_path.resolve() / "build" / "artifacts"  # None: not given


def test_the_repository_declares_its_own_layout():
    ws = resolve(Path(__file__).parent)
    assert ws.root == Path(__file__).resolve().parents[2]
    assert "[tool.lake]" in ws.origin
    for name in ("infra", "contracts", "handler"):
        assert ws.require(name).is_dir()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.lake]\ninfa = 'infra'\n", r"pyproject\.toml\]?: unknown key\(s\) infa \(known: infra, contracts"),
        ("[tool.lake]\ninfra = 3\n", r"infra = 3 must be a path string"),
        ("[tool.lake\n", r"pyproject\.toml: not valid TOML"),
        ("[tool]\nlake = 'infra'\n", r"pyproject\.toml: \[tool\.lake\] must be a table"),
    ],
)
def test_a_bad_table_is_named_with_its_file(tmp_path, text, message):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(WorkspaceError, match=message) as caught:
        resolve(tmp_path)
    assert "\n" not in str(caught.value)


def test_a_missing_directory_names_what_was_looked_for_and_where(tmp_path):
    ws = workspace_from(tmp_path, {}, "the working directory")
    with pytest.raises(WorkspaceError) as caught:
        ws.require("infra")
    text = str(caught.value)
    assert text.startswith(f"infra: looked for {tmp_path.resolve() / 'infra'} (the working directory)")
    assert "--infra" in text and "[tool.lake]" in text and "\n" not in text


def test_policy_check_outside_a_checkout_is_one_line_naming_the_path(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["policy", "check"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"lake: error: infra: looked for {tmp_path.resolve() / 'infra'}")
    assert len(err.splitlines()) == 1 and "site-packages" not in err


def test_build_outside_a_checkout_names_the_handler_source(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"lake: error: handler: looked for {tmp_path.resolve() / 'handler'}")
    assert not (tmp_path / "dist").exists()


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.startswith("lake 0.")


def test_an_installed_handler_reads_the_contracts_the_local_lake_points_it_at(tmp_path, monkeypatch):
    """The wheel carries no contracts: the local lake (dispatcher, replay) points the in-process handler at the
    checkout's contracts/ through LAKE_CONTRACTS_DIR; the Lambda artifact reads the ones beside the module."""
    import shutil

    import contracts

    source = resolve(Path(__file__).parent).contracts
    shutil.copytree(source / "users", tmp_path / "users")
    monkeypatch.setenv(contracts.CONTRACTS_DIR_ENV, str(tmp_path))
    assert [(c.dataset, c.version) for c in contracts.discover()] == [("users", 1)]
    assert contracts.load_contract("users", 1).source == str(tmp_path / "users" / "v1.json")
    monkeypatch.delenv(contracts.CONTRACTS_DIR_ENV)
    assert contracts.default_root() == contracts.CONTRACTS_DIR
