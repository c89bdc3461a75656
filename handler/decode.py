"""Turning raw bytes into records: gzip, format sniffing (object / array / NDJSON), wrapper paths.

Works on an iterator of byte blocks so a large NDJSON file streams through in bounded memory; a single JSON
document (an object, an array, a wrapper such as a search API dump) is necessarily read whole. Pure apart from
pulling blocks from the iterator it is given.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
BLANK = b" \t\r\n"  # JSON whitespace: what a blank line is made of


class Unreadable(Exception):
    """The object as a whole cannot be read as records (the message is the reason)."""


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant)


def loads(text: str | bytes) -> object:
    """Strict JSON: numbers with a fraction or exponent become Decimal (exact), NaN/Infinity are rejected."""
    if isinstance(text, str) and not text.startswith("\ufeff"):
        return _DECODER.decode(text)  # json.loads would build a decoder per call
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)


class Payload:
    """Decompressed bytes of one raw object with one-line lookahead for sniffing the format."""

    def __init__(self, blocks: Iterable[bytes]) -> None:
        self._source = iter(blocks)
        self._head = b""
        self._exhausted = False
        self._first = True

    @classmethod
    def open(cls, blocks: Iterable[bytes]) -> Payload:
        blocks = iter(blocks)
        head = b""
        for block in blocks:
            head += block
            if len(head) >= 2:
                break
        rest = _chain([head], blocks)
        if head.startswith(GZIP_MAGIC):
            return cls(_gunzip_strict(rest))
        return cls(rest)

    def _pull(self) -> bool:
        if self._exhausted:
            return False
        for block in self._source:
            if block:
                if self._first:
                    self._first = False
                    if block.startswith(UTF8_BOM):
                        block = block[len(UTF8_BOM) :]
                self._head += block
                return True
        self._exhausted = True
        return False

    def first_line(self) -> bytes:
        """The first non-blank line (without peeking past it more than one block)."""
        while True:
            stripped = self._head.lstrip(BLANK)
            nl = stripped.find(b"\n")
            if nl >= 0:
                return stripped[:nl]
            if not self._pull():
                return stripped

    def second_line(self) -> bytes | None:
        """The second non-blank line, or None when there is none (bounded lookahead: at most ~1 MB)."""
        while True:
            lines = [ln for ln in self._head.split(b"\n") if ln.strip(BLANK)]
            if len(lines) >= 2 and (self._head.rstrip(b" \t\r").endswith(b"\n") or len(lines) >= 3):
                return lines[1]
            if len(self._head) > (1 << 20) or not self._pull():
                return lines[1] if len(lines) >= 2 else None

    def read_all(self) -> bytes:
        while self._pull():
            pass
        data, self._head = self._head, b""
        return data

    def line_chunks(self, target: int) -> Iterator[bytes]:
        """The payload in chunks of whole lines of about ``target`` bytes.

        A chunk ends at its last newline before ``target`` bytes (a longer line: the first newline after it); the
        last chunk may end without one. The cut is found in the block that holds it and a chunk's blocks are
        joined once, so each byte is copied once.
        """
        pending = [self._head] if self._head else []
        size = len(self._head)
        self._head = b""
        while True:
            while size < target and self._pull():
                pending.append(self._head)
                size += len(self._head)
                self._head = b""
            if not pending:
                return
            cut = _cut(pending, target) if size >= target else None
            if cut is None:
                if size >= target and self._pull():  # no newline yet in a long line: read on
                    pending.append(self._head)
                    size += len(self._head)
                    self._head = b""
                    continue
                yield pending[0] if len(pending) == 1 else b"".join(pending)
                return
            i, j = cut
            head = [*pending[:i], pending[i][:j]] if j < len(pending[i]) else pending[: i + 1]
            pending = ([pending[i][j:]] if j < len(pending[i]) else []) + pending[i + 1 :]
            size = sum(map(len, pending))
            yield head[0] if len(head) == 1 else b"".join(head)


def _cut(blocks: list[bytes], target: int) -> tuple[int, int] | None:
    """(block, offset just past the newline) of the last newline before byte ``target`` of the blocks joined, else
    of the first newline after it; None when there is none. The blocks hold at least ``target`` bytes."""
    start = 0
    at = 0
    while start + len(blocks[at]) < target:  # the block holding byte target - 1
        start += len(blocks[at])
        at += 1
    for i in range(at, -1, -1):
        nl = blocks[i].rfind(b"\n", 0, target - start if i == at else len(blocks[i]))
        if nl >= 0:
            return i, nl + 1
        if i:
            start -= len(blocks[i - 1])
    start = sum(map(len, blocks[:at]))
    for i in range(at, len(blocks)):
        nl = blocks[i].find(b"\n", target - start if i == at else 0)
        if nl >= 0:
            return i, nl + 1
    return None


def _chain(first: Iterable[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


def _gunzip_strict(blocks: Iterable[bytes]) -> Iterator[bytes]:
    decomp = zlib.decompressobj(wbits=31)
    in_member = False
    try:
        for block in blocks:
            while block:
                in_member = True
                out = decomp.decompress(block)
                if out:
                    yield out
                if decomp.eof:
                    block = decomp.unused_data
                    decomp = zlib.decompressobj(wbits=31)
                    in_member = False
                    if block and not block.startswith(GZIP_MAGIC[:1]):
                        if block.strip(b"\x00"):
                            raise Unreadable("trailing garbage after the gzip stream")
                        block = b""
                else:
                    block = b""
    except zlib.error as exc:
        raise Unreadable(f"corrupt gzip data: {exc}") from None
    if in_member:
        raise Unreadable("truncated gzip: the compressed stream ends before its end marker")


@dataclass(frozen=True)
class Document:
    """Records of a whole-document upload and how to name their position (``index`` in the array)."""

    records: list


def parse_line(line: bytes) -> object:
    """One NDJSON line; raises ValueError with a reason (not UTF-8, not JSON)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None


def _describe_top(value: object) -> str:
    return {bool: "a boolean", int: "a number", str: "a string", type(None): "null"}.get(type(value), "a number")


def parse_document(data: bytes, records_path: str | None) -> Document:
    """A whole JSON document: an array of records, one record, or a wrapper holding the list at ``records_path``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    try:
        doc = loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except ValueError as exc:
        raise Unreadable(f"not valid JSON: {exc}") from None
    if isinstance(doc, list):
        return Document(doc)
    if isinstance(doc, dict):
        if records_path:
            node: object = doc
            for part in records_path.split("."):
                if not isinstance(node, dict) or part not in node:
                    return Document([doc])
                node = node[part]
            if not isinstance(node, list):
                raise Unreadable(f"records_path {records_path!r} holds {_describe_top(node)}, expected an array")
            return Document(node)
        return Document([doc])
    raise Unreadable(f"the JSON document is {_describe_top(doc)}; expected an object, an array of objects or NDJSON")


def looks_like_json_value(line: bytes) -> bool:
    try:
        parse_line(line)
    except (ValueError, RecursionError):
        return False
    return True


def sniff(payload: Payload, records_path: str | None) -> str:
    """``"ndjson"`` or ``"document"``; raises Unreadable for an empty object."""
    first = payload.first_line()
    if not first.strip(BLANK):
        raise Unreadable("empty object: no JSON in it")
    if first.lstrip()[:1] == b"[":
        return "document"
    if looks_like_json_value(first):
        second = payload.second_line()
        if second is None:
            return "document"  # one line: a single record or a minified wrapper
        return "ndjson"
    return "document"
