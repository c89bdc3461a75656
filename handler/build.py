"""Lambda artifacts: ``dist/handler.zip`` (code + contracts) and ``dist/pyarrow-layer.zip`` (pyarrow for the
Lambda platform). Both are reproducible: sorted entries, fixed timestamps and permissions, so the same inputs
give the same sha256. The layer is rebuilt only when its inputs (pyarrow version, platform) change.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

HANDLER_ZIP = "handler.zip"
LAYER_ZIP = "pyarrow-layer.zip"
LAYER_STAMP = "pyarrow-layer.json"
LAMBDA_PLATFORM = "manylinux_2_28_x86_64"
LAMBDA_PYTHON = "3.12"
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
# Build-time modules that stay out of the function: they import the `lake` CLI.
EXCLUDED_MODULES = {"handler/cli.py", "handler/build.py"}
LAYER_EXCLUDED_DIRS = ("pyarrow/tests/", "pyarrow/include/", "pyarrow/src/")


class BuildError(RuntimeError):
    """An artifact cannot be built (pip failed, sources missing); the message says what to do."""


def _entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
    info.create_system = 3
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_reproducible_zip(target: Path, files: Iterable[tuple[str, Path]]) -> Path:
    """Zip ``(archive name, source file)`` pairs in sorted order with fixed metadata; written atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, source in sorted(files, key=lambda pair: pair[0]):
            mode = 0o755 if name.endswith(".so") or ".so." in name else 0o644
            zf.writestr(_entry(name, mode), Path(source).read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(target)
    return target


def handler_files(handler_dir: Path, contracts_dir: Path) -> list[tuple[str, Path]]:
    """The function's code from the checkout: ``handler/*.py`` (without build-time modules) and the ``contracts``
    package with its contracts (``contracts/__init__.py``, ``contracts/<dataset>/v<N>.json``)."""
    handler_dir, contracts_dir = Path(handler_dir), Path(contracts_dir)
    sources = sorted(handler_dir.glob("*.py"))
    package = contracts_dir / "__init__.py"
    if not sources or not package.is_file():
        raise BuildError(
            f"no Lambda source: looked for {handler_dir}/*.py and {package}; run `lake build` from the checkout's root"
        )
    files = []
    for path in sources:
        name = f"handler/{path.name}"
        if name not in EXCLUDED_MODULES:
            files.append((name, path))
    files.append(("contracts/__init__.py", package))
    for path in sorted(contracts_dir.glob("*/v*.json")):
        files.append((f"contracts/{path.relative_to(contracts_dir).as_posix()}", path))
    return files


def build_handler_zip(dist_dir: Path, handler_dir: Path, contracts_dir: Path) -> Path:
    return write_reproducible_zip(Path(dist_dir) / HANDLER_ZIP, handler_files(handler_dir, contracts_dir))


def pinned_pyarrow() -> str:
    """The pyarrow version the project runs with (the one installed here), pinned into the layer."""
    return importlib.metadata.version("pyarrow")


def _layer_inputs() -> dict:
    return {"pyarrow": pinned_pyarrow(), "platform": LAMBDA_PLATFORM, "python": LAMBDA_PYTHON, "format": 1}


def download_layer_wheel(workdir: Path, version: str) -> Path:
    """pyarrow=={version} for the Lambda platform, downloaded into ``workdir`` with pip (pip's settings apply)."""
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        "--platform", LAMBDA_PLATFORM, "--python-version", LAMBDA_PYTHON, "--implementation", "cp",
        "--dest", str(workdir), f"pyarrow=={version}",
    ]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise BuildError(f"pip download pyarrow=={version} for {LAMBDA_PLATFORM} failed: {tail}")
    wheels = sorted(workdir.glob("pyarrow-*.whl"))
    if not wheels:
        raise BuildError(f"pip download produced no pyarrow wheel in {workdir}")
    return wheels[0]


def build_layer_zip(dist_dir: Path) -> Path:
    """Download the pyarrow wheel for Lambda and repackage it as a layer (``python/pyarrow/...``)."""
    dist_dir = Path(dist_dir)
    inputs = _layer_inputs()
    with tempfile.TemporaryDirectory(prefix="layer-") as tmp:
        tmpdir = Path(tmp)
        wheel = download_layer_wheel(tmpdir / "wheel", inputs["pyarrow"])
        inputs["wheel"] = wheel.name
        inputs["wheel_sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
        unpacked = tmpdir / "unpacked"
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(unpacked)
        files = []
        for path in unpacked.rglob("*"):
            if not path.is_file():
                continue
            rel = path.relative_to(unpacked).as_posix()
            if rel.startswith(LAYER_EXCLUDED_DIRS) or "/__pycache__/" in rel:
                continue
            files.append((f"python/{rel}", path))
        target = write_reproducible_zip(dist_dir / LAYER_ZIP, files)
    (dist_dir / LAYER_STAMP).write_text(json.dumps(inputs, indent=2, sort_keys=True) + "\n")
    return target


def layer_is_current(dist_dir: Path) -> bool:
    dist_dir = Path(dist_dir)
    stamp = dist_dir / LAYER_STAMP
    if not (dist_dir / LAYER_ZIP).is_file() or not stamp.is_file():
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except ValueError:
        return False
    return all(recorded.get(k) == v for k, v in _layer_inputs().items())


def ensure_artifacts(dist_dir: Path, handler_dir: Path, contracts_dir: Path) -> tuple[Path, Path]:
    """Both artifacts, building the handler zip always (cheap) and the layer only when it is out of date."""
    dist_dir = Path(dist_dir)
    handler_zip = build_handler_zip(dist_dir, handler_dir, contracts_dir)
    layer_zip = dist_dir / LAYER_ZIP if layer_is_current(dist_dir) else build_layer_zip(dist_dir)
    return handler_zip, layer_zip


def unzipped_size(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(info.file_size for info in zf.infolist())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
