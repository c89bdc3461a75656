"""Versioned dataset contracts: ``contracts/<dataset>/v<N>.json``.

A contract is the single source of truth for one dataset version. The handler
builds its pyarrow schema from it, Terraform builds the Glue table columns from
it, and the SCHEMA-AGREES policy proves the three agree. This module only
parses and validates the JSON into plain dataclasses; it has no I/O besides
reading the contract files and no third-party dependencies, so it ships inside
the Lambda artifact as it is.

The format is documented in ``contracts/README.md``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

CONTRACTS_DIR = Path(__file__).resolve().parent
CONTRACTS_DIR_ENV = "LAKE_CONTRACTS_DIR"
PARTITION_COLUMN = "dt"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_DATASET_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VERSION_FILE_RE = re.compile(r"^v([1-9][0-9]*)\.json$")
SCALAR_TYPES = ("string", "int64", "float64", "bool", "timestamp", "date")


class ContractError(ValueError):
    """A contract file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class DataType:
    """A parsed contract type: a scalar, ``decimal(p,s)``, ``list<T>`` or ``struct<a:T,...>``."""

    kind: str  # one of SCALAR_TYPES, "decimal", "list", "struct"
    precision: int = 0
    scale: int = 0
    item: DataType | None = None
    fields: tuple[tuple[str, DataType], ...] = ()

    def __str__(self) -> str:
        return type_to_string(self)


@dataclass(frozen=True)
class Field:
    name: str
    path: str
    type: DataType
    required: bool = False
    nullable: bool = True
    format: str | None = None
    description: str = ""

    @cached_property
    def path_parts(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))

    @property
    def type_string(self) -> str:
        return type_to_string(self.type)


@dataclass(frozen=True)
class Contract:
    dataset: str
    version: int
    description: str
    fields: tuple[Field, ...]
    partition_field: str
    records_path: str | None = None
    source: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def curated_prefix(self) -> str:
        """The curated prefix this contract version writes under (no leading or trailing slash)."""
        return curated_prefix(self.dataset, self.version)

    @property
    def table_name(self) -> str:
        return table_name(self.dataset, self.version)


def curated_prefix(dataset: str, version: int) -> str:
    return f"dataset/{dataset}/schema={version}"


def table_name(dataset: str, version: int) -> str:
    return f"{dataset}_v{version}"


# --------------------------------------------------------------------------- types


def parse_type(text: str) -> DataType:
    """Parse a contract type string such as ``list<struct<id:int64,tags:list<string>>>``."""
    parser = _TypeParser(text)
    result = parser.parse()
    parser.expect_end()
    return result


class _TypeParser:
    _TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\d+|[<>,:()])")

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[str] = []
        pos = 0
        stripped = text.strip()
        while pos < len(stripped):
            m = self._TOKEN.match(stripped, pos)
            if not m:
                raise ContractError(f"type {text!r}: unexpected character at {stripped[pos:]!r}")
            self.tokens.append(m.group(1))
            pos = m.end()
        self.i = 0

    def _next(self) -> str:
        if self.i >= len(self.tokens):
            raise ContractError(f"type {self.text!r}: ended early")
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _eat(self, tok: str) -> None:
        got = self._next()
        if got != tok:
            raise ContractError(f"type {self.text!r}: expected {tok!r}, got {got!r}")

    def expect_end(self) -> None:
        if self.i != len(self.tokens):
            raise ContractError(f"type {self.text!r}: unexpected {self.tokens[self.i]!r}")

    def parse(self) -> DataType:
        name = self._next()
        if name in SCALAR_TYPES:
            return DataType(name)
        if name == "decimal":
            self._eat("(")
            precision = int(self._next())
            self._eat(",")
            scale = int(self._next())
            self._eat(")")
            if not (1 <= precision <= 38 and 0 <= scale <= precision):
                raise ContractError(
                    f"type {self.text!r}: decimal needs 1 <= precision <= 38 and 0 <= scale <= precision"
                )
            return DataType("decimal", precision=precision, scale=scale)
        if name == "list":
            self._eat("<")
            item = self.parse()
            self._eat(">")
            return DataType("list", item=item)
        if name == "struct":
            self._eat("<")
            members: list[tuple[str, DataType]] = []
            while True:
                member = self._next()
                if not _NAME_RE.match(member):
                    raise ContractError(f"type {self.text!r}: struct member {member!r} is not a lower_snake name")
                self._eat(":")
                members.append((member, self.parse()))
                sep = self._next()
                if sep == ">":
                    break
                if sep != ",":
                    raise ContractError(f"type {self.text!r}: expected ',' or '>', got {sep!r}")
            names = [m for m, _ in members]
            if len(set(names)) != len(names):
                raise ContractError(f"type {self.text!r}: duplicate struct member")
            return DataType("struct", fields=tuple(members))
        raise ContractError(
            f"type {self.text!r}: unknown type {name!r} (use {', '.join(SCALAR_TYPES)}, decimal(p,s), list<T>, struct<a:T,...>)"
        )


def type_to_string(t: DataType) -> str:
    if t.kind == "decimal":
        return f"decimal({t.precision},{t.scale})"
    if t.kind == "list":
        return f"list<{type_to_string(t.item)}>"
    if t.kind == "struct":
        return "struct<" + ",".join(f"{n}:{type_to_string(m)}" for n, m in t.fields) + ">"
    return t.kind


_ATHENA_SCALARS = {
    "string": "string",
    "int64": "bigint",
    "float64": "double",
    "bool": "boolean",
    "timestamp": "timestamp",
    "date": "date",
}


def athena_type(t: DataType) -> str:
    """The Glue/Athena (Hive DDL) spelling of a contract type."""
    if t.kind == "decimal":
        return f"decimal({t.precision},{t.scale})"
    if t.kind == "list":
        return f"array<{athena_type(t.item)}>"
    if t.kind == "struct":
        return "struct<" + ",".join(f"{n}:{athena_type(m)}" for n, m in t.fields) + ">"
    return _ATHENA_SCALARS[t.kind]


def glue_columns(contract: Contract) -> list[tuple[str, str]]:
    """(name, athena type) for every column, in contract order; the ``dt`` partition key is separate."""
    return [(f.name, athena_type(f.type)) for f in contract.fields]


# --------------------------------------------------------------------------- loading


def parse_contract(doc: object, source: str = "<contract>") -> Contract:
    """Validate a decoded contract document; every problem names ``source``."""

    def fail(msg: str) -> ContractError:
        return ContractError(f"{source}: {msg}")

    if not isinstance(doc, dict):
        raise fail("top level must be a JSON object")
    unknown = set(doc) - {"dataset", "version", "description", "records_path", "partition_field", "fields"}
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)}")
    dataset = doc.get("dataset")
    if not isinstance(dataset, str) or not _DATASET_RE.match(dataset):
        raise fail(f"dataset {dataset!r} must be lower_snake, start with a letter, at most 40 characters")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail(f"version {version!r} must be a positive integer")
    records_path = doc.get("records_path")
    if records_path is not None and (not isinstance(records_path, str) or not records_path):
        raise fail("records_path must be null or a dotted path string")
    raw_fields = doc.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise fail("fields must be a non-empty list")
    fields: list[Field] = []
    seen: set[str] = set()
    for i, rf in enumerate(raw_fields):
        where = f"fields[{i}]"
        if not isinstance(rf, dict):
            raise fail(f"{where} must be an object")
        extra = set(rf) - {"name", "path", "type", "required", "nullable", "format", "description"}
        if extra:
            raise fail(f"{where}: unknown keys {sorted(extra)}")
        name = rf.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name) or name == PARTITION_COLUMN:
            raise fail(
                f"{where}: name {name!r} must be lower_snake and not {PARTITION_COLUMN!r} (the partition column)"
            )
        if name in seen:
            raise fail(f"{where}: duplicate field name {name!r}")
        seen.add(name)
        path = rf.get("path", name)
        if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
            raise fail(f"field {name!r}: path {path!r} must be a dotted JSON path such as 'user.id'")
        type_text = rf.get("type")
        if not isinstance(type_text, str):
            raise fail(f"field {name!r}: type must be a string")
        try:
            dtype = parse_type(type_text)
        except ContractError as exc:
            raise fail(f"field {name!r}: {exc}") from None
        fmt = rf.get("format")
        if dtype.kind == "timestamp" and fmt is not None and not isinstance(fmt, str):
            raise fail(f"field {name!r}: format must be a strptime string")
        if fmt is not None and dtype.kind != "timestamp":
            raise fail(f"field {name!r}: format is only for timestamp fields")
        for flag in ("required", "nullable"):
            if flag in rf and not isinstance(rf[flag], bool):
                raise fail(f"field {name!r}: {flag} must be true or false")
        fields.append(
            Field(
                name=name,
                path=path,
                type=dtype,
                required=rf.get("required", False),
                nullable=rf.get("nullable", True),
                format=fmt,
                description=rf.get("description", ""),
            )
        )
    partition_field = doc.get("partition_field")
    by_name = {f.name: f for f in fields}
    if partition_field not in by_name:
        raise fail(f"partition_field {partition_field!r} must name a field")
    pf = by_name[partition_field]
    if pf.type.kind not in ("timestamp", "date") or not pf.required or pf.nullable:
        raise fail(f"partition_field {partition_field!r} must be a required, non-nullable timestamp or date field")
    return Contract(
        dataset=dataset,
        version=version,
        description=doc.get("description", ""),
        fields=tuple(fields),
        partition_field=partition_field,
        records_path=records_path,
        source=source,
        raw=doc,
    )


def default_root() -> Path:
    """Where contracts are read when no root is given: beside this module, as the Lambda artifact ships them,
    unless ``LAKE_CONTRACTS_DIR`` names a directory (the local lake runs the handler in-process on the checkout's
    ``contracts/``: an installed harness carries none of the repository's contracts)."""
    return Path(os.environ.get(CONTRACTS_DIR_ENV) or CONTRACTS_DIR)


def contract_path(dataset: str, version: int, root: Path | None = None) -> Path:
    return (root or default_root()) / dataset / f"v{version}.json"


def load_file(path: Path) -> Contract:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractError(f"{path}: no such contract") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    contract = parse_contract(doc, source=str(path))
    m = _VERSION_FILE_RE.match(path.name)
    if path.parent.name != contract.dataset or not m or int(m.group(1)) != contract.version:
        raise ContractError(
            f"{path}: file must be contracts/{contract.dataset}/v{contract.version}.json to match its dataset and version"
        )
    return contract


def load_contract(dataset: str, version: int, root: Path | None = None) -> Contract:
    return load_file(contract_path(dataset, version, root))


def discover(root: Path | None = None) -> list[Contract]:
    """Every contract under ``root``, sorted by dataset then version."""
    root = root or default_root()
    found = []
    for path in sorted(root.glob("*/v*.json")):
        if _VERSION_FILE_RE.match(path.name):
            found.append(load_file(path))
    return sorted(found, key=lambda c: (c.dataset, c.version))
