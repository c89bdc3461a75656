"""The running local lake (``lake up``), recorded so other ``lake`` commands in another terminal can find it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from lake.errors import LakeError


def lake_home() -> Path:
    return Path(os.environ.get("LAKE_HOME") or Path.home() / ".cache" / "lake-harness")


def session_file() -> Path:
    return lake_home() / "session.json"


def save(endpoint: str, outputs: dict, workdir: Path, state_paths: dict[str, Path]) -> Path:
    """Record the running lake: its endpoint, outputs, working directory and each layer's state file."""
    path = session_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "endpoint": endpoint,
        "outputs": outputs,
        "workdir": str(workdir),
        "state_paths": {layer: str(p) for layer, p in state_paths.items()},
    }
    path.write_text(json.dumps(doc, indent=2))
    return path


def load() -> dict | None:
    path = session_file()
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError:
        raise LakeError(f"{path}: not a lake session file; delete it and run `lake up` again") from None


def clear() -> None:
    session_file().unlink(missing_ok=True)
