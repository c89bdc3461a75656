"""``lake infra check``: ``terraform fmt -check`` over ``infra/`` and ``terraform validate`` of every root.

Validation runs with ``init -backend=false`` in a temporary data dir, so it needs no credentials, no backend and
no AWS endpoint, and it leaves nothing behind in the source tree.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from lake.layers import is_layered, layer_roots
from lake.terraform import Terraform, TerraformError


def terraform_roots(infra_dir: Path) -> list[Path]:
    """Every root under ``infra/envs/``: each layer of a layered environment (``envs/<env>/<layer>/``) or an
    environment that is one root. Validating a root validates every module it calls (the layer modules, and the
    modules they call) with the variables it really passes."""
    roots: list[Path] = []
    for env in sorted(p for p in (infra_dir / "envs").glob("*") if p.is_dir()):
        roots.extend(layer_roots(env).values() if is_layered(env) or not any(env.glob("*.tf")) else [env])
    return roots


@dataclass
class CheckResult:
    path: Path
    ok: bool
    detail: str = ""


def validate_dir(directory: Path) -> CheckResult:
    with tempfile.TemporaryDirectory(prefix="lake-validate-") as data_dir:
        tf = Terraform(directory, data_dir=Path(data_dir))
        try:
            tf.init(backend=False)
            tf.validate()
            return CheckResult(directory, True, "terraform validate: ok")
        except TerraformError as exc:
            return CheckResult(directory, False, str(exc))
        finally:
            tf.close()


def check_infra(
    infra_dir: Path, progress: Callable[[str], None] = lambda _msg: None, workers: int = 4
) -> list[CheckResult]:
    """fmt first, then every directory validated (in parallel: each is Terraform waiting on its provider)."""
    unformatted = Terraform(infra_dir).fmt_check()
    fmt = CheckResult(
        infra_dir,
        not unformatted,
        "terraform fmt -check: clean" if not unformatted else "not fmt clean: " + ", ".join(unformatted),
    )
    progress(fmt.detail)
    results = [fmt]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(validate_dir, terraform_roots(infra_dir)):
            progress(f"{result.path.relative_to(infra_dir.parent)}: {result.detail.splitlines()[0]}")
            results.append(result)
    return results
