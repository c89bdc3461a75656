"""The workflow runner the production-path test uses: expressions, step conditions, failures named by step."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from workflow_runner import Runner, WorkflowError, condition, evaluate, interpolate

CONTEXT = {
    "vars": {"AWS_REGION": "us-east-1", "TF_STATE_BUCKET": "state"},
    "github": {"event_name": "push", "ref": "refs/heads/main"},
    "steps": {"drift": {"outputs": {"exit_code": "1"}}},
}


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("vars.AWS_REGION", "us-east-1"),
        ("vars.DRIFT_FAIL_ON || 'any'", "any"),
        ("vars.AWS_REGION || 'any'", "us-east-1"),
        ("github.event_name == 'push' && github.ref == 'refs/heads/main'", True),
        ("github.event_name == 'pull_request'", False),
        ("steps.drift.outputs.exit_code", "1"),
        ("!(github.ref == 'refs/heads/main')", False),
        ("'it''s'", "it's"),
    ],
)
def test_expressions(expr, value):
    assert evaluate(expr, CONTEXT) == value


def test_interpolation_and_conditions():
    assert interpolate("s3://${{ vars.TF_STATE_BUCKET }}/${{ vars.TF_STATE_KEY }}", CONTEXT) == "s3://state/"
    assert condition(None, {"functions": {"success": lambda: True}}) is True
    assert condition("${{ failure() }}", {"functions": {"failure": lambda: False}}) is False
    with pytest.raises(WorkflowError, match="function hashFiles"):
        evaluate("hashFiles()", CONTEXT)


WORKFLOW = """
name: demo
on: push
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - name: say
        id: say
        run: echo "word=hello" >> "$GITHUB_OUTPUT"
      - name: break
        env:
          WORD: ${{ steps.say.outputs.word }}
        run: |
          test "$WORD" = hello
          echo "about to fail"
          exit 3
      - name: never
        run: echo never
      - name: summary
        if: always()
        run: echo "# done" >> "$GITHUB_STEP_SUMMARY"
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: echo second
  third:
    runs-on: ubuntu-latest
    steps:
      - uses: some/unknown-action@v1
"""


@pytest.fixture
def runner(tmp_path):
    path = tmp_path / "demo.yml"
    path.write_text(WORKFLOW)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    return Runner(path, env, {}, {"event_name": "push"}, {}, tmp_path / "artifacts")


def test_a_failing_step_is_named_and_always_steps_still_run(runner, tmp_path):
    result = runner.run_job("first", tmp_path)
    assert result.status == "failure"
    assert result.reason.startswith("demo / first / break: exit 3\n")
    assert "about to fail" in result.reason
    assert [s.status for s in result.steps] == ["success", "failure", "skipped", "success"]
    assert result.summary == "# done\n"


def test_a_job_whose_needs_failed_never_runs(runner, tmp_path):
    runner.run_job("first", tmp_path)
    second = runner.run_job("second", tmp_path)
    assert second.status == "skipped" and second.steps == []
    assert "needs ['first'] did not succeed" in second.reason


def test_an_action_without_a_stand_in_is_named(runner, tmp_path):
    with pytest.raises(WorkflowError, match="demo / third / some/unknown-action: no local stand-in"):
        runner.run_job("third", tmp_path)
