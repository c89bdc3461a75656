"""Compare one resource's state attributes with its live reading (both normalised first) using deepdiff."""

from __future__ import annotations

from deepdiff import DeepDiff
from deepdiff.helper import NotPresent

from drift import normalise
from drift.model import Change


def format_path(parts: list) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def prepare(attrs: dict, policy_paths: tuple[str, ...]) -> object:
    value = normalise.apply_policy_documents(attrs, policy_paths)
    value = normalise.sort_scalar_lists(value)
    return normalise.empty_as_none(value) or {}


def _plain(value: object) -> object:
    return None if isinstance(value, NotPresent) else value


def changes(state: dict, live: dict, policy_paths: tuple[str, ...] = ()) -> list[Change]:
    """Every attribute path where ``live`` differs from ``state``; ``state`` is first reduced to what was read."""
    projected = normalise.project_onto(normalise.tags_as_tags_all(state), live)
    left, right = prepare(projected, policy_paths), prepare(live, policy_paths)
    diff = DeepDiff(
        left,
        right,
        view="tree",
        ignore_type_in_groups=[(int, float)],
        verbose_level=2,
        threshold_to_diff_deeper=0,  # always name the attribute, even when most of them differ
    )
    out = []
    for report in diff.values():
        for level in report:
            out.append(Change(format_path(level.path(output_format="list")), _plain(level.t1), _plain(level.t2)))
    out.sort(key=lambda c: c.path)
    return out
