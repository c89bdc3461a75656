"""Per-record validation: the authority on whether one decoded JSON record satisfies a contract.

The fast Arrow path accepts only records it can prove clean; every record it cannot is decided here, with
the reason (field, expected, got). Pure functions over plain Python values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from contracts import Contract, DataType, Field

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """Why a record was rejected: the column, what the contract expects, and what the record holds."""

    field: str
    expected: str
    got: str

    def as_dict(self) -> dict:
        return {"field": self.field, "expected": self.expected, "got": self.got}


class _Invalid(Exception):
    def __init__(self, expected: str, got: str) -> None:
        self.expected = expected
        self.got = got


def describe(value: object, limit: int = 80) -> str:
    """A short human description of a JSON value: its JSON type and (truncated) text."""
    if value is _MISSING:
        return "missing"
    if value is None:
        return "null"
    kind = {bool: "bool", int: "int", float: "float", str: "string", list: "array", dict: "object"}.get(
        type(value), "number" if isinstance(value, Decimal) else type(value).__name__
    )
    text = repr(value) if not isinstance(value, Decimal) else str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{kind} {text}"


def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse_timestamp(text: str, fmt: str | None) -> datetime:
    """A contract timestamp: ``fmt`` is a strptime format, None means ISO 8601; naive values are UTC."""
    parsed = datetime.strptime(text, fmt) if fmt else datetime.fromisoformat(text)
    return _utc(parsed)


def _convert(value: object, t: DataType, fmt: str | None = None) -> object:
    """Convert one non-null JSON value to the Python value pyarrow stores for ``t``, or raise _Invalid."""
    kind = t.kind
    if kind == "string":
        if not isinstance(value, str):
            raise _Invalid("string", describe(value))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _Invalid("string (valid unicode)", "string with a lone surrogate") from None
        return value
    if kind == "int64":
        if type(value) is not int:
            raise _Invalid("int64", describe(value))
        if not INT64_MIN <= value <= INT64_MAX:
            raise _Invalid("int64", f"{describe(value)} (out of range)")
        return value
    if kind == "float64":
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise _Invalid("float64", describe(value))
        try:
            result = float(value)
        except OverflowError:
            result = math.inf
        if not math.isfinite(result):
            raise _Invalid("float64 (finite)", describe(value))
        return result
    if kind == "bool":
        if type(value) is not bool:
            raise _Invalid("bool", describe(value))
        return value
    if kind == "timestamp":
        expected = f"timestamp ({fmt or 'ISO 8601'})"
        if not isinstance(value, str):
            raise _Invalid(expected, describe(value))
        try:
            return parse_timestamp(value, fmt)
        except (ValueError, OverflowError):
            raise _Invalid(expected, describe(value)) from None
    if kind == "date":
        if not isinstance(value, str):
            raise _Invalid("date (YYYY-MM-DD)", describe(value))
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _Invalid("date (YYYY-MM-DD)", describe(value)) from None
    if kind == "decimal":
        return _convert_decimal(value, t)
    if kind == "list":
        if not isinstance(value, list):
            raise _Invalid(f"array of {t.item}", describe(value))
        return [None if item is None else _convert(item, t.item) for item in value]
    if kind == "struct":
        if not isinstance(value, dict):
            raise _Invalid(f"object {t}", describe(value))
        out = {}
        for name, member in t.fields:
            item = value.get(name)
            out[name] = None if item is None else _convert(item, member)
        return out
    raise AssertionError(f"unknown type kind {kind}")


def _convert_decimal(value: object, t: DataType) -> Decimal:
    expected = f"decimal({t.precision},{t.scale})"
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _Invalid(expected, describe(value))
    try:
        number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        raise _Invalid(expected, describe(value)) from None
    if isinstance(value, str) and value != value.strip():
        raise _Invalid(expected, describe(value))
    if not number.is_finite():
        raise _Invalid(expected, describe(value))
    quantum = Decimal(1).scaleb(-t.scale)
    try:
        exact = number.quantize(quantum)
    except InvalidOperation:
        raise _Invalid(expected, f"{describe(value)} (too many digits)") from None
    if exact != number:
        raise _Invalid(expected, f"{describe(value)} (more than {t.scale} decimal places)")
    if len(exact.as_tuple().digits) > t.precision and exact != 0:
        raise _Invalid(expected, f"{describe(value)} (more than {t.precision} digits)")
    return exact


def lookup(record: dict, f: Field) -> object:
    """The value at the field's dotted path; _MISSING when the path is absent or crosses a null.

    Raises _Invalid when a parent on the path is present but not an object.
    """
    node: object = record
    for depth, part in enumerate(f.path_parts):
        if node is None:
            return _MISSING
        if not isinstance(node, dict):
            raise _Invalid(f"object at '{'.'.join(f.path_parts[:depth])}'", describe(node))
        if part not in node:
            return _MISSING
        node = node[part]
    return node


def validate_record(record: object, contract: Contract) -> tuple[dict | None, list[Problem]]:
    """Return (row, []) for a valid record (column name -> Python value) or (None, problems)."""
    if not isinstance(record, dict):
        return None, [Problem("<record>", "object", describe(record))]
    row: dict = {}
    problems: list[Problem] = []
    for f in contract.fields:
        try:
            value = lookup(record, f)
            if value is _MISSING:
                if f.required or not f.nullable:
                    qualifier = "required" if f.required else "not null"
                    raise _Invalid(f"{f.type_string} ({qualifier})", "missing")
                row[f.name] = None
            elif value is None:
                if not f.nullable:
                    raise _Invalid(f"{f.type_string} (not null)", "null")
                row[f.name] = None
            else:
                row[f.name] = _convert(value, f.type, f.format)
        except _Invalid as exc:
            problems.append(Problem(f.name, exc.expected, exc.got))
    if problems:
        return None, problems
    return row, []


def partition_value(row: dict, contract: Contract) -> str:
    """``dt`` (YYYY-MM-DD, UTC) from the row's partition field."""
    value = row[contract.partition_field]
    if isinstance(value, datetime):
        return value.astimezone(UTC).date().isoformat()
    return value.isoformat()
