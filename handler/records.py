"""Per-record verdicts: a valid row for the curated table, or a Rejection for quarantine."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa

from handler.decode import BLANK
from handler.plan import Plan
from handler.validate import Problem, partition_value, validate_record

_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}

Location = tuple[str, int]  # ("line", 1-based line number) for NDJSON, ("index", 0-based) in a JSON array


@dataclass(frozen=True)
class Rejection:
    """One record that did not satisfy the contract, with every problem found and the record as uploaded."""

    location: Location
    problems: tuple[Problem, ...]
    record: object = None  # the decoded record, when it decoded and no line holds it (a document's records)
    record_text: str | None = None  # the raw line, when it did not decode
    record_json: str | None = None  # the line as uploaded, when it decoded: valid JSON, reported verbatim

    @classmethod
    def unparsed(cls, location: Location, line: bytes, reason: str) -> Rejection:
        text = line.decode("utf-8", errors="replace")
        return cls(location, (Problem("<record>", "a JSON object", reason),), record_text=text)

    def report_line(self, raw_key: str, version_id: str | None, location: Location | None = None) -> bytes:
        """The quarantine NDJSON line: raw object, position (``location`` when given, else the record's own),
        first problem, all problems, original record.

        A record that came as a line is written as uploaded (numbers exactly as written), spliced in as the last
        member; unicode line separators are escaped so every reader sees exactly one line.
        """
        first = self.problems[0]
        where = location or self.location
        out = {
            "raw_key": raw_key,
            "version_id": version_id,
            where[0]: where[1],
            "field": first.field,
            "expected": first.expected,
            "got": first.got,
            "problems": [p.as_dict() for p in self.problems],
        }
        if self.record_text is not None:
            out["record_text"] = self.record_text
        elif self.record_json is None:
            out["record"] = _undecimal(self.record)
        text = json.dumps(out, ensure_ascii=False, default=str)
        if self.record_json is not None:
            text = f'{text[:-1]}, "record": {self.record_json}}}'
        for char, escape in _LINE_BREAKS.items():
            text = text.replace(char, escape)
        return (text + "\n").encode("utf-8", errors="backslashreplace")


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
        if original is not None:
            return Rejection(location, tuple(problems), record_json=original.strip(BLANK).decode("utf-8"))
        return Rejection(location, tuple(problems), record=record)
    row["dt"] = partition_value(row, plan.contract)
    return row


def rows_to_table(rows: list[dict], plan: Plan) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=plan.out_schema)
