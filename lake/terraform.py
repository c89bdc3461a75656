"""Run Terraform: init (through a provider mirror when one is configured), plan to JSON, apply, destroy, outputs.

Terraform is an external program; this module is the one place that starts it. Everything else receives
plain data (the plan JSON, the outputs dict, the state JSON).

Provider mirror resolution, first match wins:

1. ``LAKE_TF_PLUGIN_DIR``: an explicit filesystem mirror (``<dir>/registry.terraform.io/hashicorp/aws/...``).
2. ``TF_CLI_CONFIG_FILE`` (or ``~/.terraformrc``) exists: the user's own CLI config decides; nothing is overridden.
3. A well-known mirror directory that holds the aws provider (``/opt/tf-plugins``, ``~/.terraform.d/plugins``,
   ``/usr/share/terraform/plugins``, ``~/.local/share/terraform/plugins``).
4. Otherwise the public registry, as plain ``terraform init`` would.

With a mirror, the runner writes its own CLI config to a temporary file and points the Terraform it starts at
it (``TF_CLI_CONFIG_FILE``); no file outside the repository is touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lake.errors import LakeError

WELL_KNOWN_MIRRORS = (
    Path("/opt/tf-plugins"),
    Path.home() / ".terraform.d" / "plugins",
    Path("/usr/share/terraform/plugins"),
    Path.home() / ".local" / "share" / "terraform" / "plugins",
)
AWS_PROVIDER_DIR = Path("registry.terraform.io") / "hashicorp" / "aws"


class TerraformError(LakeError):
    """Terraform is missing or a Terraform command failed."""


def has_aws_provider(mirror: Path) -> bool:
    return (mirror / AWS_PROVIDER_DIR).is_dir()


# Go's garbage-collection target for Terraform and the providers it starts (they inherit its environment). The AWS
# provider is a large Go program started anew, several times, by nearly every command (each start: about 4 CPU
# seconds, 0.3 to its handshake and the rest answering Terraform's first calls; nearly all of a small layer's plan), and with Go's default (100) it spends about a fifth of its
# CPU collecting. Measured: 200 took 15% less CPU than 100 for `lake policy plan`; 400 took 10% less Terraform CPU
# than 200 for a first apply of infra/envs/local (89 -> 80 CPU s), for 30% more peak memory per process (366 ->
# 478 MB). Above 400 the page faults of a larger heap cost what collecting saved. A caller's GOGC wins.
GO_GC_PERCENT = "400"


def find_plugin_mirror(environ: Mapping[str, str] | None = None) -> Path | None:
    """The filesystem mirror to use, or None when Terraform should use its own configuration or the registry."""
    env = os.environ if environ is None else environ
    explicit = env.get("LAKE_TF_PLUGIN_DIR")
    if explicit:
        path = Path(explicit).expanduser()
        if not has_aws_provider(path):
            raise TerraformError(
                f"LAKE_TF_PLUGIN_DIR={explicit}: no {AWS_PROVIDER_DIR} inside; point it at a provider mirror directory"
            )
        return path
    user_config = env.get("TF_CLI_CONFIG_FILE") or str(Path.home() / ".terraformrc")
    if Path(user_config).expanduser().is_file():
        return None
    for candidate in WELL_KNOWN_MIRRORS:
        if has_aws_provider(candidate):
            return candidate
    return None


def mirror_cli_config(mirror: Path) -> str:
    """A Terraform CLI config that installs every provider from ``mirror`` and never from the network."""
    path = json.dumps(str(mirror))
    return (
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path    = {path}\n"
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
        "}\n"
        "disable_checkpoint = true\n"
    )


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Terraform:
    """A Terraform working directory (``chdir``) with its own data dir and extra environment.

    ``data_dir`` keeps ``.terraform`` out of the source tree, so several runs over the same config
    (tests, the demo) never share provider or backend state.
    """

    chdir: Path
    data_dir: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    binary: str | None = None
    _cli_config: Path | None = field(default=None, init=False, repr=False)
    _remove_cli_config: weakref.finalize | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.chdir = Path(self.chdir)
        found = self.binary or os.environ.get("TERRAFORM") or shutil.which("terraform")
        if not found:
            raise TerraformError(
                "terraform is not on PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) "
                "or set TERRAFORM to its path"
            )
        self.binary = found
        if not self.chdir.is_dir():
            raise TerraformError(f"{self.chdir}: no such Terraform configuration directory")

    # ------------------------------------------------------------------ plumbing

    def _environ(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"})
        env.setdefault("GOGC", GO_GC_PERCENT)  # a GOGC of the caller's wins
        if self.data_dir is not None:
            env["TF_DATA_DIR"] = str(self.data_dir)
        mirror = find_plugin_mirror(env)
        if mirror is not None:
            if self._cli_config is None:
                fd, name = tempfile.mkstemp(prefix="lake-tf-", suffix=".tfrc")
                with os.fdopen(fd, "w") as fh:
                    fh.write(mirror_cli_config(mirror))
                self._cli_config = Path(name)
                # removed by close(), or when the runner is collected, or at exit: a caller that never closes (a
                # one-shot `lake` command) must not leave a file in the temp dir per run
                self._remove_cli_config = weakref.finalize(self, self._cli_config.unlink, missing_ok=True)
            env["TF_CLI_CONFIG_FILE"] = str(self._cli_config)
        env.update(self.env)
        return env

    def run(self, *args: str, check: bool = True, capture: bool = True, ok_codes: Sequence[int] = (0,)) -> Result:
        cmd = [self.binary, f"-chdir={self.chdir}", *args]
        proc = subprocess.run(
            cmd,
            env=self._environ(),
            text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None,
            stdin=subprocess.DEVNULL,
        )
        result = Result(list(cmd), proc.returncode, proc.stdout or "", proc.stderr or "")
        if check and proc.returncode not in ok_codes:
            raise TerraformError(describe_failure(args, self.chdir, result))
        return result

    def close(self) -> None:
        if self._remove_cli_config is not None:
            self._remove_cli_config()
            self._remove_cli_config = None
        self._cli_config = None

    # ------------------------------------------------------------------ commands

    def init(
        self, backend: bool = True, backend_config: Mapping[str, str] | None = None, upgrade: bool = False
    ) -> None:
        args = ["init", "-input=false", "-no-color"]
        if not backend:
            args.append("-backend=false")
        for key, value in (backend_config or {}).items():
            args.append(f"-backend-config={key}={value}")
        if upgrade:
            args.append("-upgrade")
        self.run(*args)

    def validate(self) -> dict:
        result = self.run("validate", "-json", "-no-color", ok_codes=(0, 1))
        doc = json.loads(result.stdout)
        if not doc.get("valid"):
            msgs = [
                f"{d.get('severity')}: {d.get('summary')} {d.get('detail', '')}".strip()
                for d in doc.get("diagnostics", [])
            ]
            raise TerraformError(f"terraform validate failed in {self.chdir}: " + "; ".join(msgs))
        return doc

    def fmt_check(self) -> list[str]:
        """Files that ``terraform fmt`` would change (empty when clean)."""
        result = self.run("fmt", "-check", "-recursive", "-list=true", "-no-color", ok_codes=(0, 3))
        return [line for line in result.stdout.splitlines() if line.strip()]

    def plan(
        self,
        out: Path | None = None,
        variables: Mapping[str, object] | None = None,
        detailed_exitcode: bool = False,
        refresh_only: bool = False,
        extra: Sequence[str] = (),
    ) -> int:
        """Run ``terraform plan``; returns the exit code (2 = changes present with ``detailed_exitcode``)."""
        args = ["plan", "-input=false", "-no-color", "-lock-timeout=60s", *var_args(variables)]
        if out is not None:
            args.append(f"-out={out}")
        if detailed_exitcode:
            args.append("-detailed-exitcode")
        if refresh_only:
            args.append("-refresh-only")
        args.extend(extra)
        return self.run(*args, ok_codes=(0, 2) if detailed_exitcode else (0,)).returncode

    def show_json(self, plan_file: Path | None = None) -> dict:
        args = ["show", "-json", "-no-color"]
        if plan_file is not None:
            args.append(str(plan_file))
        return json.loads(self.run(*args).stdout)

    def plan_json(self, workdir: Path, variables: Mapping[str, object] | None = None) -> dict:
        """Plan into ``workdir/tfplan`` and return ``terraform show -json`` of it."""
        plan_file = Path(workdir) / "tfplan"
        self.plan(out=plan_file, variables=variables)
        return self.show_json(plan_file)

    def apply(
        self,
        variables: Mapping[str, object] | None = None,
        plan_file: Path | None = None,
        parallelism: int | None = None,
    ) -> None:
        args = ["apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=60s"]
        if parallelism:
            args.append(f"-parallelism={parallelism}")
        if plan_file is not None:
            args.append(str(plan_file))
        else:
            args.extend(var_args(variables))
        self.run(*args)

    def destroy(
        self, variables: Mapping[str, object] | None = None, parallelism: int | None = None, targets: Sequence[str] = ()
    ) -> None:
        """Destroy everything, or only ``targets`` (resource addresses) and what depends on them."""
        args = ["destroy", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=60s", *var_args(variables)]
        if parallelism:
            args.append(f"-parallelism={parallelism}")
        args.extend(f"-target={target}" for target in targets)
        self.run(*args)

    def output(self) -> dict:
        """Outputs as plain values (``terraform output -json`` unwrapped)."""
        raw = json.loads(self.run("output", "-json", "-no-color").stdout or "{}")
        return {name: spec.get("value") for name, spec in raw.items()}

    def state_pull(self) -> dict:
        return json.loads(self.run("state", "pull").stdout or "{}")


def var_args(variables: Mapping[str, object] | None) -> list[str]:
    """``-var`` arguments; non-string values are passed as HCL-compatible JSON."""
    out = []
    for key, value in (variables or {}).items():
        text = value if isinstance(value, str) else json.dumps(value)
        out.append(f"-var={key}={text}")
    return out


def describe_failure(args: Sequence[str], chdir: Path, result: Result) -> str:
    """One readable paragraph: which command failed where, and Terraform's own error lines."""
    verb = args[0] if args else "terraform"
    lines = [ln.rstrip() for ln in (result.stderr or result.stdout).splitlines()]
    errors = [ln.strip("│ ").strip() for ln in lines if ln.strip("│ ").strip()]
    detail = "\n  ".join(errors[-40:]) or "(no output)"
    hint = ""
    text = result.stderr + result.stdout
    if "Failed to query available provider packages" in text or "could not connect to registry" in text:
        hint = (
            "\n  hint: the provider registry is unreachable; set LAKE_TF_PLUGIN_DIR to a provider mirror "
            "(a directory holding registry.terraform.io/hashicorp/aws/...)"
        )
    return f"terraform {verb} failed in {chdir} (exit {result.returncode}):\n  {detail}{hint}"
