"""The command a person runs for each finding. Pure: a finding's facts in, one line of advice out."""

from __future__ import annotations

import shlex


def for_changed(address: str) -> str:
    return (
        f"terraform apply -target={shlex.quote(address)} restores the state's values "
        "(or, if the change was intended, put it in the configuration and apply)"
    )


def for_deleted(address: str) -> str:
    return (
        f"terraform apply recreates {address}; only if the deletion was intended: remove it from the configuration "
        f"and run terraform state rm {shlex.quote(address)}"
    )


def for_unmanaged(resource_type: str, import_id: str, delete_command: str) -> str:
    return (
        f"delete it: {delete_command}; or adopt it: add a {resource_type} block and run "
        f"terraform import {shlex.quote(resource_type + '.NAME')} {shlex.quote(import_id)}"
    )


def for_unknown(reason: str, api: str) -> str:
    if reason == "no adapter":
        return "add an adapter for this type (one file in drift/adapters/); until then it is not checked"
    if reason == "denied":
        return f"grant the drift-reader role read access ({api})"
    if reason == "throttled":
        return "re-run later or with fewer --workers; AWS throttled the reads past the retry budget"
    return "re-run; if it persists, report it with the message above"


def for_conflict(address: str, keep: str, drop: str, drop_address: str) -> str:
    return (
        f"finish the migration: one state must manage it. Keep it in {keep} ({address}) and in {drop} run "
        f"terraform state rm {shlex.quote(drop_address)} (state rm forgets it, AWS keeps it); "
        "never apply either state until then"
    )
