"""The checkov env of tox.ini (the merge gate's security baseline) gives the same verdict wherever the checkout lives.

checkov's plan parser stores the absolute path of each plan as a ``__file__`` entry inside every block it reads, and
CKV_AWS_45 scans every entry of a Lambda's ``environment.variables`` for AWS secrets. A path holding a run of exactly
40 characters from [A-Za-z0-9/+=] (``/check/work/main/reports/plans/ingestion``) matched the secret-key pattern: the
gate failed in one checkout and passed in another. ``policies/checkov/scan-plans`` hands checkov copies of the plans
under a directory of its own making. checkov itself lives only in the checkov env; here a stand-in records what
checkov would have been given.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import stat
import subprocess
from pathlib import Path

import pytest

from lake.layers import LAYERS

REPO = Path(__file__).resolve().parents[2]
SCAN_PLANS = REPO / "policies" / "checkov" / "scan-plans"
# CKV_AWS_45's AWS secret access key pattern (checkov.common.util.secrets)
SECRET_KEY_RUN = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")


def checkov_commands() -> list[list[str]]:
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(REPO / "tox.ini")
    return [shlex.split(line) for line in tox["testenv:checkov"]["commands"].strip().splitlines()]


@pytest.fixture
def fake_checkov(tmp_path):
    """A `checkov` on PATH that records its working directory, its arguments and the plans it was given."""
    bin_dir, record = tmp_path / "bin", tmp_path / "checkov-call"
    bin_dir.mkdir()
    script = bin_dir / "checkov"
    script.write_text(
        "#!/usr/bin/env bash\n"
        f'{{ pwd; printf "%s\\n" "$@"; }} > {shlex.quote(str(record))}\n'
        f'for a in "$@"; do if [ -f "$a" ]; then cat "$a"; fi; done > {shlex.quote(str(record))}.plans\n'
        "exit ${FAKE_CHECKOV_EXIT:-0}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return env, record


def scan_plans(env, *arguments):
    return subprocess.run(["bash", str(SCAN_PLANS), *arguments], env=env, capture_output=True, text=True)


def plans_at_the_failing_length(tmp_path: Path) -> list[Path]:
    """Plans in a directory whose path, joined to 'ingestion', is a 40-character run, as /check/work/main's was."""
    # the "." ends whatever run tmp_path ends with; the run that follows is the 40 characters
    plans = tmp_path / ("." + "x" * (40 - len("/reports/plans/ingestion"))) / "reports" / "plans"
    plans.mkdir(parents=True)
    for layer in LAYERS:
        (plans / f"{layer}.json").write_text(f'{{"layer": "{layer}"}}\n')
    return [plans / f"{layer}.json" for layer in LAYERS]


def test_the_pattern_is_the_one_that_failed_ci():
    assert SECRET_KEY_RUN.search("/check/work/main/reports/plans/ingestion.json")
    assert not SECRET_KEY_RUN.search("/work/main/reports/plans/ingestion.json")


def test_tox_scans_the_gates_four_plans_through_scan_plans():
    (plan_scan,) = [c for c in checkov_commands() if "terraform_plan" in c]
    assert plan_scan[:2] == ["bash", "{toxinidir}/policies/checkov/scan-plans"]
    files = plan_scan[2 : plan_scan.index("--")]
    assert files == [f"{{toxinidir}}/reports/plans/{layer}.json" for layer in LAYERS]
    # the plan scan gives checkov no path of its own: every plan goes through the script
    assert not any(c[0] == "checkov" and "--file" in c for c in checkov_commands())


def test_checkov_sees_no_path_that_reads_as_a_secret_wherever_the_plans_are(tmp_path, fake_checkov):
    env, record = fake_checkov
    plans = plans_at_the_failing_length(tmp_path)
    assert SECRET_KEY_RUN.search(str(plans[1]))  # checkov given this path itself fails CKV_AWS_45
    result = scan_plans(env, *map(str, plans), "--", "--framework", "terraform_plan", "--quiet")
    assert result.returncode == 0, result.stderr
    cwd, *arguments = record.read_text().splitlines()
    names = [arguments[i + 1] for i, a in enumerate(arguments) if a == "--file"]
    assert names == [p.name for p in plans]
    assert arguments[-3:] == ["--framework", "terraform_plan", "--quiet"]
    for name in names:  # what checkov stores as __file__: os.path.abspath of the name, from the script's directory
        assert not SECRET_KEY_RUN.search(os.path.join(cwd, name)), os.path.join(cwd, name)
    # the plans checkov read are the gate's plans, byte for byte, and the copies are gone afterwards
    assert Path(f"{record}.plans").read_text() == "".join(p.read_text() for p in plans)
    assert not Path(cwd).exists()


def test_checkovs_verdict_is_the_scripts_exit_code(tmp_path, fake_checkov):
    env, _ = fake_checkov
    plans = plans_at_the_failing_length(tmp_path)
    result = scan_plans({**env, "FAKE_CHECKOV_EXIT": "1"}, *map(str, plans), "--", "--quiet")
    assert result.returncode == 1


def test_a_missing_or_empty_plan_is_an_error_not_a_pass(tmp_path, fake_checkov):
    env, record = fake_checkov
    plans = plans_at_the_failing_length(tmp_path)
    plans[2].write_text("")
    result = scan_plans(env, *map(str, plans), "--", "--quiet")
    assert result.returncode == 2 and not record.exists()
    assert result.stderr.strip() == f"scan-plans: {plans[2]}: missing or empty; run the gate (tox -e gate) first"
    plans[2].unlink()
    assert scan_plans(env, *map(str, plans), "--", "--quiet").returncode == 2
    assert scan_plans(env, "--", "--quiet").returncode == 2
