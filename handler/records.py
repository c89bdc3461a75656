"""Per-record verdicts: a valid row for the curated table, or a Rejection for quarantine."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa

from handler.plan import Plan
from handler.validate import Problem, partition_value, validate_record

Location = tuple[str, int]  # ("line", 1-based line number) for NDJSON, ("index", 0-based) in a JSON array


@dataclass(frozen=True)
class Rejection:
    """One record that did not satisfy the contract, with every problem found and the record as uploaded."""

    location: Location
    problems: tuple[Problem, ...]
    record: object = None  # the decoded record, when it decoded
    record_text: str | None = None  # the raw line, when it did not

    @classmethod
    def unparsed(cls, location: Location, line: bytes, reason: str) -> Rejection:
        text = line.decode("utf-8", errors="replace")
        return cls(location, (Problem("<record>", "a JSON object", reason),), record_text=text)

    def report(self, raw_key: str, version_id: str | None) -> dict:
        """The quarantine line: raw object, position, first problem, all problems, original record."""
        first = self.problems[0]
        out = {
            "raw_key": raw_key,
            "version_id": version_id,
            self.location[0]: self.location[1],
            "field": first.field,
            "expected": first.expected,
            "got": first.got,
            "problems": [p.as_dict() for p in self.problems],
        }
        if self.record_text is not None:
            out["record_text"] = self.record_text
        else:
            out["record"] = self.record
        return out


def _plain(original: bytes | None, record: object) -> object:
    """The record for the quarantine report, with JSON numbers as plain ints and floats."""
    if original is not None:
        try:
            return json.loads(original)
        except ValueError:
            return original.decode("utf-8", errors="replace")
    return _undecimal(record)


def _undecimal(value: object) -> object:
    if isinstance(value, Decimal):
        number = float(value)
        return number if number == number and abs(number) != float("inf") else str(value)
    if isinstance(value, list):
        return [_undecimal(v) for v in value]
    if isinstance(value, dict):
        return {k: _undecimal(v) for k, v in value.items()}
    return value


def judge(record: object, location: Location, plan: Plan, original: bytes | None = None) -> dict | Rejection:
    """Validate one decoded record: the output row (with ``dt``) or a Rejection."""
    row, problems = validate_record(record, plan.contract)
    if problems:
        return Rejection(location, tuple(problems), record=_plain(original, record))
    row["dt"] = partition_value(row, plan.contract)
    return row


def rows_to_table(rows: list[dict], plan: Plan) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=plan.out_schema)


_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def encode_report_line(report: dict) -> bytes:
    """One NDJSON line; unicode line separators are escaped so every reader sees exactly one line."""
    text = json.dumps(report, ensure_ascii=False, default=str)
    for char, escape in _LINE_BREAKS.items():
        text = text.replace(char, escape)
    return (text + "\n").encode("utf-8", errors="backslashreplace")
