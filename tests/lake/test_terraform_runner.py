"""The Terraform runner's pure parts: mirror discovery, CLI config, variable and error formatting."""

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lake import terraform as tf


def _mirror(tmp_path: Path) -> Path:
    (tmp_path / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0" / "linux_amd64").mkdir(parents=True)
    return tmp_path


def test_explicit_mirror_wins(tmp_path):
    mirror = _mirror(tmp_path)
    assert tf.find_plugin_mirror({"LAKE_TF_PLUGIN_DIR": str(mirror)}) == mirror


def test_explicit_mirror_without_provider_is_an_error(tmp_path):
    with pytest.raises(tf.TerraformError, match="LAKE_TF_PLUGIN_DIR"):
        tf.find_plugin_mirror({"LAKE_TF_PLUGIN_DIR": str(tmp_path)})


def test_existing_user_cli_config_is_respected(tmp_path, monkeypatch):
    cfg = tmp_path / "rc"
    cfg.write_text("")
    monkeypatch.setattr(tf, "WELL_KNOWN_MIRRORS", (_mirror(tmp_path / "m"),))
    assert tf.find_plugin_mirror({"TF_CLI_CONFIG_FILE": str(cfg)}) is None


def test_missing_cli_config_falls_back_to_well_known_mirror(tmp_path, monkeypatch):
    mirror = _mirror(tmp_path / "m")
    monkeypatch.setattr(tf, "WELL_KNOWN_MIRRORS", (tmp_path / "absent", mirror))
    assert tf.find_plugin_mirror({"TF_CLI_CONFIG_FILE": str(tmp_path / "nope")}) == mirror


def test_no_mirror_anywhere_means_registry(tmp_path, monkeypatch):
    monkeypatch.setattr(tf, "WELL_KNOWN_MIRRORS", (tmp_path / "absent",))
    assert tf.find_plugin_mirror({"TF_CLI_CONFIG_FILE": str(tmp_path / "nope")}) is None


def test_mirror_cli_config_never_reaches_the_network():
    text = tf.mirror_cli_config(Path("/opt/x y"))
    assert 'path    = "/opt/x y"' in text
    assert 'exclude = ["registry.terraform.io/*/*"]' in text


def test_var_args_encode_non_strings_as_json():
    assert tf.var_args({"a": "x", "b": {"users": {"versions": [1]}}, "c": 3}) == [
        "-var=a=x",
        '-var=b={"users": {"versions": [1]}}',
        "-var=c=3",
    ]


def test_failure_message_keeps_terraform_error_lines():
    result = tf.Result(["terraform", "plan"], 1, "", "╷\n│ Error: Unsupported argument\n│ \n│   on main.tf line 3\n╵\n")
    msg = tf.describe_failure(["plan"], Path("infra"), result)
    assert msg.startswith("terraform plan failed in infra (exit 1):")
    assert "Error: Unsupported argument" in msg and "on main.tf line 3" in msg


def test_missing_binary_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("TERRAFORM", raising=False)
    with pytest.raises(tf.TerraformError, match="terraform is not on PATH"):
        tf.Terraform(tmp_path)


def test_real_terraform_fmt_check_runs(tmp_path):
    if not tf.shutil.which("terraform"):
        pytest.skip("terraform not installed")
    (tmp_path / "main.tf").write_text("locals {\n  a   = 1\n}\n")
    assert tf.Terraform(tmp_path).fmt_check() == ["main.tf"]


def test_terraform_and_its_providers_collect_garbage_less_often_unless_told(tmp_path, monkeypatch):
    monkeypatch.delenv("GOGC", raising=False)
    assert tf.Terraform(tmp_path, binary="terraform")._environ()["GOGC"] == tf.GO_GC_PERCENT == "400"
    monkeypatch.setenv("GOGC", "50")
    assert tf.Terraform(tmp_path, binary="terraform")._environ()["GOGC"] == "50"
    assert tf.Terraform(tmp_path, binary="terraform", env={"GOGC": "off"})._environ()["GOGC"] == "off"


def test_the_mirror_cli_config_is_removed_on_close_and_when_the_runner_is_dropped(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKE_TF_PLUGIN_DIR", str(_mirror(tmp_path / "m")))
    closed = tf.Terraform(tmp_path, binary="terraform")
    first = Path(closed._environ()["TF_CLI_CONFIG_FILE"])
    assert first.read_text() == tf.mirror_cli_config(tmp_path / "m")
    assert Path(closed._environ()["TF_CLI_CONFIG_FILE"]) == first  # one file per runner, not per command
    closed.close()
    assert not first.exists()
    dropped = tf.Terraform(tmp_path, binary="terraform")
    second = Path(dropped._environ()["TF_CLI_CONFIG_FILE"])
    del dropped
    gc.collect()
    assert not second.exists()


def test_a_one_shot_process_that_never_closes_its_runner_leaves_no_cli_config(tmp_path):
    """`lake batch ...` and `lake infra check` make a runner and exit: a nightly job must not fill the temp dir."""
    mirror = _mirror(tmp_path / "m")
    temp = tmp_path / "tmp"
    temp.mkdir()
    script = (
        "import sys; from lake.terraform import Terraform; "
        "kept = Terraform(sys.argv[1], binary='terraform'); print(kept._environ()['TF_CLI_CONFIG_FILE'])"
    )
    env = {**os.environ, "LAKE_TF_PLUGIN_DIR": str(mirror), "TMPDIR": str(temp)}
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()).parent == temp
    assert list(temp.iterdir()) == []
