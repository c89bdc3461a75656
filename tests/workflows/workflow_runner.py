"""Run a GitHub Actions workflow's jobs on this machine: its ``run:`` steps as written, in order, with bash as the
runner would, and its ``uses:`` steps through local stand-ins (Python, Terraform, credentials through environment
variables, artifacts in a directory).

What the runner follows: job ``if:`` and ``needs:``, step ``if:`` (``always()``, ``success()``, ``failure()``),
``env:`` at workflow, job and step level, ``working-directory``, ``id:`` with ``$GITHUB_OUTPUT``,
``$GITHUB_STEP_SUMMARY``, and ``${{ }}`` expressions over ``vars``, ``github``, ``steps`` and ``env``. Anything else
(an action without a stand-in, another shell, an expression it cannot read) is a :class:`WorkflowError` naming the
step, so a workflow that changes is followed or the test says why it cannot be.

The pure part (expressions, step selection) is tested on its own in ``test_runner.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_TOKEN = re.compile(r"\s*(\|\||&&|==|!=|!|\(|\)|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_.\-]*(?:\(\))?|\d+)")


class WorkflowError(Exception):
    """The workflow asks for something this runner cannot stand in for; the message names the step."""


# --------------------------------------------------------------------------- expressions (pure)


def _tokens(expr: str) -> list[str]:
    out, pos = [], 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            if expr[pos:].strip():
                raise WorkflowError(f"expression {expr!r}: cannot read {expr[pos:]!r}")
            break
        out.append(m.group(1))
        pos = m.end()
    return out


def evaluate(expr: str, context: Mapping[str, Any]) -> Any:
    """A GitHub Actions expression over ``context``: paths (``vars.X``), 'strings', ``== != && || !``, parentheses
    and the status functions ``always() success() failure()`` (given in ``context['functions']``)."""
    tokens = _tokens(expr)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def primary() -> Any:
        tok = take()
        if tok == "(":
            value = either()
            if take() != ")":
                raise WorkflowError(f"expression {expr!r}: unbalanced parentheses")
            return value
        if tok == "!":
            return not truthy(primary())
        if tok.startswith("'"):
            return tok[1:-1].replace("''", "'")
        if tok.isdigit():
            return int(tok)
        if tok in ("true", "false"):
            return tok == "true"
        if tok.endswith("()"):
            functions = context.get("functions", {})
            if tok[:-2] not in functions:
                raise WorkflowError(f"expression {expr!r}: function {tok} is not supported")
            return functions[tok[:-2]]()
        value: Any = context
        for part in tok.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return value

    def comparison() -> Any:
        left = primary()
        while peek() in ("==", "!="):
            op, right = take(), primary()
            left = (left == right) if op == "==" else (left != right)
        return left

    def both() -> Any:
        left = comparison()
        while peek() == "&&":
            take()
            right = comparison()
            left = right if truthy(left) else left
        return left

    def either() -> Any:
        left = both()
        while peek() == "||":
            take()
            right = both()
            left = left if truthy(left) else right
        return left

    value = either()
    if pos != len(tokens):
        raise WorkflowError(f"expression {expr!r}: unexpected {tokens[pos]!r}")
    return value


def truthy(value: Any) -> bool:
    return value not in (None, "", 0, False)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def interpolate(text: Any, context: Mapping[str, Any]) -> str:
    """``text`` with every ``${{ expr }}`` replaced by its value."""
    return EXPRESSION.sub(lambda m: as_text(evaluate(m.group(1), context)), as_text(text))


def condition(text: Any, context: Mapping[str, Any]) -> bool:
    """An ``if:`` value (with or without ``${{ }}``); absent means ``success()``."""
    if text is None:
        text = "success()"
    if isinstance(text, bool):
        return text
    m = EXPRESSION.fullmatch(str(text).strip())
    return truthy(evaluate(m.group(1) if m else str(text), context))


def action_name(uses: str) -> str:
    """``owner/repo[/path]`` of a ``uses:`` reference, without its ``@ref``."""
    return uses.split("@", 1)[0]


def step_name(step: Mapping[str, Any]) -> str:
    if step.get("name"):
        return str(step["name"])
    if step.get("uses"):
        return action_name(str(step["uses"]))
    return str(step.get("run", "")).strip().splitlines()[0]


def load_workflow(path: Path) -> dict:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), dict):
        raise WorkflowError(f"{path}: not a workflow (no jobs)")
    return doc


def needs_of(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


# --------------------------------------------------------------------------- running (I/O)


@dataclass
class StepRecord:
    label: str
    status: str  # success | failure | skipped
    output: str = ""
    seconds: float = 0.0


@dataclass
class JobResult:
    job: str
    status: str  # success | failure | skipped
    steps: list[StepRecord] = field(default_factory=list)
    summary: str = ""
    reason: str = ""  # why it was skipped or which step failed, and how

    @property
    def ok(self) -> bool:
        return self.status == "success"

    def step(self, name: str) -> StepRecord:
        for record in self.steps:
            if record.label.endswith(f" / {name}"):
                return record
        raise KeyError(f"{self.job}: no step named {name!r} (have {[s.label for s in self.steps]})")


@dataclass
class StepContext:
    """What a stand-in sees: the step's label and inputs, the job's checkout and environment."""

    label: str
    inputs: dict[str, str]
    checkout: Path
    env: dict[str, str]
    artifacts: Path


StandIn = Callable[[StepContext], Mapping[str, str]]  # returns environment for the job's later steps


@dataclass
class Runner:
    """One workflow file, run job by job. ``env`` is the machine's environment every step starts from (PATH, HOME,
    the endpoint); ``variables`` are the repository's ``vars``; ``github`` the event context."""

    workflow: Path
    env: Mapping[str, str]
    variables: Mapping[str, str]
    github: Mapping[str, str]
    stand_ins: Mapping[str, StandIn]
    artifacts: Path
    results: dict[str, JobResult] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.doc = load_workflow(self.workflow)
        self.name = str(self.doc.get("name") or Path(self.workflow).stem)

    def given(self, job_id: str, why: str) -> None:
        """Count ``job_id`` as succeeded without running it (for a job the test cannot run, with the reason)."""
        if job_id not in self.doc["jobs"]:
            raise WorkflowError(f"{self.name}: no job {job_id!r} to take as given")
        self.results[job_id] = JobResult(job_id, "success", reason=f"not run here: {why}")

    def run_job(self, job_id: str, checkout: Path) -> JobResult:
        """Run ``job_id`` in ``checkout`` (a fresh copy of the repository, as each job's checkout is)."""
        if job_id not in self.doc["jobs"]:
            raise WorkflowError(f"{self.name}: no job {job_id!r} (have {sorted(self.doc['jobs'])})")
        job = self.doc["jobs"][job_id]
        label = f"{self.name} / {job_id}"
        blocked = [n for n in needs_of(job) if self.results.get(n) is None or not self.results[n].ok]
        if blocked:
            result = JobResult(job_id, "skipped", reason=f"{label}: skipped, needs {blocked} did not succeed")
            self.results[job_id] = result
            return result
        base = {"vars": dict(self.variables), "github": dict(self.github), "env": {}}
        if not condition(job.get("if", True), {**base, "functions": {"always": lambda: True}}):
            result = JobResult(job_id, "skipped", reason=f"{label}: skipped, if: {job['if']} is false")
            self.results[job_id] = result
            return result
        result = self._run_steps(job_id, job, Path(checkout), base)
        self.results[job_id] = result
        return result

    def _run_steps(self, job_id: str, job: Mapping[str, Any], checkout: Path, base: dict) -> JobResult:
        result = JobResult(job_id, "success")
        workdir = Path(tempfile.mkdtemp(prefix=f"wf-{job_id}-"))
        summary = workdir / "step_summary.md"
        summary.touch()
        env = dict(self.env)
        env.update({"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(checkout)})
        env.update({f"GITHUB_{k.upper()}": v for k, v in self.github.items()})
        env["GITHUB_STEP_SUMMARY"] = str(summary)
        steps_ctx: dict[str, dict] = {}
        failed = False
        timeout = 60 * float(job.get("timeout-minutes", 360))
        defaults = (job.get("defaults") or {}).get("run") or {}
        try:
            for scope in (self.doc.get("env") or {}, job.get("env") or {}):
                for key, value in scope.items():
                    env[key] = interpolate(value, {**base, "env": env})
            for index, step in enumerate(job.get("steps") or []):
                label = f"{self.name} / {job_id} / {step_name(step)}"
                context = {
                    **base,
                    "env": env,
                    "steps": steps_ctx,
                    "functions": {
                        "always": lambda: True,
                        "success": lambda f=failed: not f,
                        "failure": lambda f=failed: f,
                    },
                }
                if not condition(step.get("if"), context):
                    result.steps.append(StepRecord(label, "skipped"))
                    continue
                step_env = {**env, **{k: interpolate(v, context) for k, v in (step.get("env") or {}).items()}}
                outputs: dict[str, str] = {}
                started = time.monotonic()
                try:
                    if "uses" in step:
                        exported = self._uses(step, label, checkout, step_env, context)
                        env.update(exported)
                        output = f"stand-in for {step['uses']}"
                    elif "run" in step:
                        output, outputs = self._run(step, label, checkout, step_env, defaults, workdir, index, timeout)
                    else:
                        raise WorkflowError(f"{label}: neither run nor uses")
                except StepError as exc:
                    failed = True
                    result.steps.append(StepRecord(label, "failure", exc.output, time.monotonic() - started))
                    if result.status == "success":
                        result.status, result.reason = "failure", str(exc)
                    if step.get("id"):
                        steps_ctx[str(step["id"])] = {"outputs": {}, "outcome": "failure"}
                    continue
                result.steps.append(StepRecord(label, "success", output, time.monotonic() - started))
                if step.get("id"):
                    steps_ctx[str(step["id"])] = {"outputs": outputs, "outcome": "success"}
            result.summary = summary.read_text(encoding="utf-8")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return result

    def _uses(self, step: Mapping[str, Any], label: str, checkout: Path, env: dict, context: dict) -> Mapping[str, str]:
        name = action_name(str(step["uses"]))
        stand_in = self.stand_ins.get(name)
        if stand_in is None:
            raise WorkflowError(f"{label}: no local stand-in for {name} (add one to the test's stand-ins)")
        inputs = {k: interpolate(v, context) for k, v in (step.get("with") or {}).items()}
        try:
            return dict(stand_in(StepContext(label, inputs, checkout, env, self.artifacts)))
        except StepError:
            raise
        except Exception as exc:
            raise StepError(f"{label}: {type(exc).__name__}: {exc}", "") from exc

    def _run(
        self,
        step: Mapping[str, Any],
        label: str,
        checkout: Path,
        env: dict,
        defaults: Mapping[str, Any],
        workdir: Path,
        index: int,
        timeout: float,
    ) -> tuple[str, dict[str, str]]:
        shell = step.get("shell") or defaults.get("shell") or "bash"
        if shell != "bash":
            raise WorkflowError(f"{label}: shell {shell!r} has no stand-in (bash only)")
        cwd = checkout / str(step.get("working-directory") or defaults.get("working-directory") or ".")
        script = workdir / f"step-{index}.sh"
        script.write_text(str(step["run"]), encoding="utf-8")
        output_file = workdir / f"output-{index}"
        output_file.touch()
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env={**env, "GITHUB_OUTPUT": str(output_file)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0:
            tail = "\n".join(proc.stdout.rstrip().splitlines()[-25:])
            raise StepError(f"{label}: exit {proc.returncode}\n{tail}", proc.stdout)
        outputs = {}
        for line in output_file.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                outputs[key] = value
        return proc.stdout, outputs


class StepError(Exception):
    """A step failed; the message starts with the step's label ("workflow / job / step")."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


# --------------------------------------------------------------------------- stand-ins


def checkout_stand_in(_ctx: StepContext) -> Mapping[str, str]:
    """actions/checkout: each job already runs in a fresh copy of the repository."""
    return {}


def python_stand_in(venv: Path) -> StandIn:
    """actions/setup-python: a fresh venv's interpreter first on PATH (``python -m pip install`` goes into it)."""

    def stand_in(ctx: StepContext) -> Mapping[str, str]:
        return {"PATH": f"{venv / 'bin'}{os.pathsep}{ctx.env['PATH']}", "VIRTUAL_ENV": str(venv)}

    return stand_in


def terraform_stand_in(cli_config: Path | None) -> StandIn:
    """hashicorp/setup-terraform: the installed terraform (on PATH) with a CLI config for the offline provider
    mirror when there is one; ``terraform_wrapper: false`` is the only mode stood in for."""

    def stand_in(ctx: StepContext) -> Mapping[str, str]:
        if str(ctx.inputs.get("terraform_wrapper", "true")).lower() != "false":
            raise WorkflowError(f"{ctx.label}: only terraform_wrapper: false has a stand-in")
        if shutil.which("terraform", path=ctx.env["PATH"]) is None:
            raise WorkflowError(f"{ctx.label}: terraform is not on PATH")
        return {"TF_CLI_CONFIG_FILE": str(cli_config)} if cli_config else {}

    return stand_in


def credentials_stand_in(sts_client: Callable[[Mapping[str, str]], Any], identities: list[dict]) -> StandIn:
    """aws-actions/configure-aws-credentials: AssumeRole of ``role-to-assume`` through STS on the local endpoint
    (the OIDC token is stood in for by the endpoint's test credentials); the role's temporary credentials and the
    region go into the job's environment. Every assumed identity is appended to ``identities``."""

    def stand_in(ctx: StepContext) -> Mapping[str, str]:
        role = ctx.inputs.get("role-to-assume")
        region = ctx.inputs.get("aws-region")
        if not role or not region:
            raise WorkflowError(f"{ctx.label}: role-to-assume and aws-region are required")
        session = ctx.inputs.get("role-session-name") or "GitHubActions"
        answer = sts_client({**ctx.env, "AWS_REGION": region}).assume_role(RoleArn=role, RoleSessionName=session)
        creds = answer["Credentials"]
        identities.append({"label": ctx.label, "role": role, "arn": answer["AssumedRoleUser"]["Arn"]})
        return {
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
        }

    return stand_in


def _paths(text: str) -> list[str]:
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def upload_artifact_stand_in(ctx: StepContext) -> Mapping[str, str]:
    """actions/upload-artifact: the files under ``artifacts/<name>/``, relative to their common directory."""
    files = [ctx.checkout / p for p in _paths(ctx.inputs.get("path", ""))]
    found = [f for f in files if f.exists()]
    if not found:
        if ctx.inputs.get("if-no-files-found", "warn") == "error":
            raise StepError(f"{ctx.label}: no files found at {files}", "")
        return {}
    root = Path(os.path.commonpath([f if f.is_dir() else f.parent for f in found]))
    target = ctx.artifacts / ctx.inputs["name"]
    for f in found:
        dest = target / f.relative_to(root)
        if f.is_dir():
            shutil.copytree(f, dest, dirs_exist_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dest)
    return {}


def download_artifact_stand_in(ctx: StepContext) -> Mapping[str, str]:
    """actions/download-artifact: ``artifacts/<name>/`` copied into ``path``; a missing artifact fails the step."""
    source = ctx.artifacts / ctx.inputs["name"]
    if not source.is_dir():
        raise StepError(f"{ctx.label}: artifact {ctx.inputs['name']!r} not found", "")
    shutil.copytree(source, ctx.checkout / ctx.inputs.get("path", "."), dirs_exist_ok=True)
    return {}


def upload_sarif_stand_in(uploaded: list[dict]) -> StandIn:
    """github/codeql-action/upload-sarif: the file must be SARIF 2.1.0; its runs are kept in ``uploaded``."""

    def stand_in(ctx: StepContext) -> Mapping[str, str]:
        path = ctx.checkout / ctx.inputs["sarif_file"]
        if not path.is_file():
            raise StepError(f"{ctx.label}: {ctx.inputs['sarif_file']} does not exist", "")
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("version") != "2.1.0" or not doc.get("runs"):
            raise StepError(f"{ctx.label}: {path} is not SARIF 2.1.0 with runs", "")
        uploaded.append({"category": ctx.inputs.get("category"), "sarif": doc})
        return {}

    return stand_in
