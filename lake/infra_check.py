"""``lake infra check``: ``terraform fmt -check`` over ``infra/`` and ``terraform validate`` of every root and module.

Validation runs with ``init -backend=false`` in a temporary data dir, so it needs no credentials, no backend and
no AWS endpoint, and it leaves nothing behind in the source tree.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lake.terraform import Terraform, TerraformError


def terraform_dirs(infra_dir: Path) -> list[Path]:
    """The root module, each environment and each module: every directory under ``infra/`` holding ``*.tf``."""
    dirs = {p.parent for p in infra_dir.rglob("*.tf") if ".terraform" not in p.parts}
    return sorted(dirs, key=lambda p: (len(p.relative_to(infra_dir).parts), str(p)))


@dataclass
class CheckResult:
    path: Path
    ok: bool
    detail: str = ""


def check_infra(infra_dir: Path, progress: Callable[[str], None] = lambda _msg: None) -> list[CheckResult]:
    results: list[CheckResult] = []
    unformatted = Terraform(infra_dir).fmt_check()
    results.append(
        CheckResult(
            infra_dir,
            not unformatted,
            "terraform fmt -check: clean" if not unformatted else "not fmt clean: " + ", ".join(unformatted),
        )
    )
    progress(results[-1].detail)
    for directory in terraform_dirs(infra_dir):
        with tempfile.TemporaryDirectory(prefix="lake-validate-") as data_dir:
            tf = Terraform(directory, data_dir=Path(data_dir))
            try:
                tf.init(backend=False)
                tf.validate()
                results.append(CheckResult(directory, True, "terraform validate: ok"))
            except TerraformError as exc:
                results.append(CheckResult(directory, False, str(exc)))
            finally:
                tf.close()
        progress(f"{directory.relative_to(infra_dir.parent)}: {results[-1].detail.splitlines()[0]}")
    return results
