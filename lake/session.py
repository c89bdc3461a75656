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


def save(endpoint: str, outputs: dict, state_path: Path) -> Path:
    path = session_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"endpoint": endpoint, "outputs": outputs, "state_path": str(state_path)}, indent=2))
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
