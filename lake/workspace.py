"""Where the checkout's files are: the harness works on the checkout it is run in, as terraform and checkov do.

A path comes from, first match wins:

1. a command-line flag (relative to the working directory), e.g. ``--infra``, ``--dist``;
2. the ``[tool.lake]`` table of the nearest ``pyproject.toml`` found from the working directory upwards
   (relative to that file's directory);
3. the conventional name under the working directory (``infra/``, ``contracts/``, ``handler/``, ``dist/``,
   ``.lake-policy-suppressions.json``).

Never from where the package is installed. The tool's own data files (the managed-policy snapshot, the checkov
config, the HTML template) are package data, read with :mod:`importlib.resources` where they are used.

:func:`workspace_from` is pure (a root, a table, overrides in; a :class:`Workspace` out); :func:`find_config` and
:func:`resolve` are the I/O edge.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lake.errors import LakeError

PYPROJECT = "pyproject.toml"
# key in [tool.lake] -> conventional path relative to the checkout root
DEFAULTS: dict[str, str] = {
    "infra": "infra",
    "contracts": "contracts",
    "handler": "handler",
    "dist": "dist",
    "suppressions": ".lake-policy-suppressions.json",
}
FLAGS = {name: f"--{name}" for name in DEFAULTS}


class WorkspaceError(LakeError):
    """The checkout's files are not where the harness looked; the message names what and where."""


@dataclass(frozen=True)
class Workspace:
    """The checkout's paths, each absolute; ``origin`` says where they were decided (for error messages)."""

    root: Path
    infra: Path
    contracts: Path
    handler: Path
    dist: Path
    suppressions: Path
    origin: str

    @property
    def local_env(self) -> Path:
        return self.infra / "envs" / "local"

    @property
    def aws_env(self) -> Path:
        return self.infra / "envs" / "aws"

    @property
    def handler_zip(self) -> Path:
        return self.dist / "handler.zip"

    def require(self, name: str, path: Path | None = None) -> Path:
        """``path`` (default: the workspace's ``name`` path) when it exists, else a one-line WorkspaceError."""
        path = path if path is not None else getattr(self, name)
        if path.exists():
            return path
        raise WorkspaceError(
            f"{name}: looked for {path} ({self.origin}) and found nothing; run lake from the checkout's root, "
            f"pass {FLAGS.get(name, '--' + name)}, or set {name} in [tool.lake] of the checkout's {PYPROJECT}"
        )


def workspace_from(
    root: Path, table: Mapping[str, object], origin: str, overrides: Mapping[str, Path | None] | None = None
) -> Workspace:
    """The workspace of ``root`` with its ``[tool.lake]`` ``table``; ``overrides`` (flags, absolute) win."""
    unknown = sorted(set(table) - set(DEFAULTS))
    if unknown:
        raise WorkspaceError(f"{origin}: unknown key(s) {', '.join(unknown)} (known: {', '.join(DEFAULTS)})")
    paths: dict[str, Path] = {}
    for name, default in DEFAULTS.items():
        value = table.get(name, default)
        if not isinstance(value, str) or not value:
            raise WorkspaceError(f"{origin}: {name} = {value!r} must be a path string")
        paths[name] = (root / value).resolve()
    for name, value in (overrides or {}).items():
        if name not in DEFAULTS:
            raise ValueError(f"unknown workspace path {name!r}")
        if value is not None:
            paths[name] = Path(value).resolve()
    return Workspace(root=root.resolve(), origin=origin, **paths)


def find_config(start: Path) -> tuple[Path, dict] | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.lake]`` table, and that table."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if not candidate.is_file():
            continue
        try:
            doc = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise WorkspaceError(f"{candidate}: not valid TOML ({exc})") from None
        table = doc.get("tool", {}).get("lake")
        if table is None:
            continue
        if not isinstance(table, dict):
            raise WorkspaceError(f"{candidate}: [tool.lake] must be a table")
        return candidate, table
    return None


def resolve(start: Path | None = None, overrides: Mapping[str, Path | None] | None = None) -> Workspace:
    """The workspace seen from ``start`` (default: the working directory)."""
    start = Path.cwd() if start is None else Path(start)
    found = find_config(start)
    if found is None:
        return workspace_from(start, {}, f"no [tool.lake] in a {PYPROJECT} at or above {start.resolve()}", overrides)
    pyproject, table = found
    return workspace_from(pyproject.parent, table, f"[tool.lake] in {pyproject}", overrides)


def from_args(args: object, start: Path | None = None) -> Workspace:
    """The workspace with the command's path flags (attributes named as in DEFAULTS, None when not given)."""
    return resolve(start, {name: getattr(args, name, None) for name in DEFAULTS})
