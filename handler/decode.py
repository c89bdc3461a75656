"""Turning raw bytes into a payload: gzip (every member, bounded output), UTF-16/32 to UTF-8, a BOM skipped,
format sniffing (NDJSON or a document), NDJSON cut into chunks of whole lines.

Works on an iterator of byte blocks so any input streams through in bounded memory: documents (an array, an
object, a wrapper such as a search API dump) are split into records by ``handler.elements``. Pure apart from
pulling blocks from the iterator it is given.
"""

from __future__ import annotations

import codecs
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
BLANK = b" \t\r\n"  # JSON whitespace: what a blank line is made of
GUNZIP_BLOCK = 1 << 20
LOOKAHEAD = 1 << 20  # bytes read ahead to tell NDJSON from a document
HEAD_BYTES = 200  # of a record over the size limit, kept for its report


@dataclass(frozen=True)
class Flaw:
    """A slot of the document that holds no record to judge: malformed structure, or a record over the size limit."""

    expected: str
    got: str
    text: str | None = None  # the first bytes of the element, when there is one


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
    def open(cls, blocks: Iterable[bytes], max_decompressed: int | None = None) -> Payload:
        """The payload of raw ``blocks``: gunzipped (every member, at most ``max_decompressed`` bytes out) and, when
        it is UTF-16 or UTF-32 (a BOM, or the zero bytes of ASCII JSON), transcoded to UTF-8 as it streams."""
        head, rest = _peek(iter(blocks), 2)
        if head.startswith(GZIP_MAGIC):
            head, rest = _peek(_gunzip_strict(rest, max_decompressed), 4)
        encoding = json.detect_encoding(head) if head else "utf-8"
        if encoding not in ("utf-8", "utf-8-sig"):
            return cls(_transcode(rest, encoding))
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
        """The first non-blank line, or its first ``LOOKAHEAD`` bytes or more when it is longer."""
        while True:
            stripped = self._head.lstrip(BLANK)
            nl = stripped.find(b"\n")
            if nl >= 0:
                return stripped[:nl]
            if len(stripped) >= LOOKAHEAD or not self._pull():
                return stripped

    def second_line(self) -> bytes | None:
        """The second non-blank line, or None when there is none (bounded lookahead: at most ~1 MB)."""
        return self.nth_line(2)

    def nth_line(self, n: int) -> bytes | None:
        """The ``n``-th non-blank line (1-based), or None when there is none within about 1 MB."""
        while True:
            lines = [ln for ln in self._head.split(b"\n") if ln.strip(BLANK)]
            if len(lines) >= n and (self._head.rstrip(b" \t\r").endswith(b"\n") or len(lines) > n):
                return lines[n - 1]
            if len(self._head) > LOOKAHEAD or not self._pull():
                return lines[n - 1] if len(lines) >= n else None

    def rest(self) -> Iterator[bytes]:
        """The payload's blocks from the current position on (the lookahead first)."""
        if self._head:
            head, self._head = self._head, b""
            yield head
        while self._pull():
            head, self._head = self._head, b""
            yield head

    def read_at_most(self, limit: int) -> bytes:
        """The rest of the payload; Unreadable when it holds more than ``limit`` bytes."""
        blocks, size = [], 0
        for block in self.rest():
            blocks.append(block)
            size += len(block)
            if size > limit:
                raise Unreadable(f"a document of more than {limit} bytes (MAX_RECORD_BYTES) that is no object or array")
        return b"".join(blocks)

    def read_all(self) -> bytes:
        while self._pull():
            pass
        data, self._head = self._head, b""
        return data

    def line_chunks(self, target: int, max_line: int | None = None, delimiter: bytes = b"\n") -> Iterator[bytes | Flaw]:
        """The payload in chunks of whole lines of about ``target`` bytes (``block_chunks``, each chunk's blocks
        joined once, so each byte is copied once), each line longer than ``max_line`` given as a ``Flaw``."""
        for chunk in self.block_chunks(target, max_line, delimiter):
            if isinstance(chunk, Flaw):
                yield chunk
            else:
                yield from _bounded(chunk[0] if len(chunk) == 1 else b"".join(chunk), max_line)

    def block_chunks(
        self, target: int, max_line: int | None = None, delimiter: bytes = b"\n"
    ) -> Iterator[list[bytes] | Flaw]:
        """The payload in chunks of whole lines of about ``target`` bytes, each as the list of its blocks.

        A chunk ends at its last newline before ``target`` bytes (a longer line: the first newline after it); the
        last chunk may end without one. The cut is found in the block that holds it. A line longer than
        ``max_line`` is skipped as it streams and given as a ``Flaw`` in its place. With another ``delimiter`` (a
        document's ``}``: a chunk then usually ends with a whole record) a chunk with none is cut at ``target``
        instead of read on.
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
            cut = _cut(pending, target, delimiter) if size >= target else None
            if cut is None and delimiter != b"\n" and size >= target:
                whole = b"".join(pending)
                pending, size = [whole[target:]], len(whole) - target
                yield [whole[:target]]
                continue
            if cut is None:
                if max_line is not None and size > max_line:  # one line, longer than allowed: skip to its end
                    pending, size = yield from self._skip_line(pending, size, max_line)
                    continue
                if size >= target and self._pull():  # no newline yet in a long line: read on
                    pending.append(self._head)
                    size += len(self._head)
                    self._head = b""
                    continue
                yield pending
                return
            i, j = cut
            head = [*pending[:i], pending[i][:j]] if j < len(pending[i]) else pending[: i + 1]
            pending = ([pending[i][j:]] if j < len(pending[i]) else []) + pending[i + 1 :]
            size = sum(map(len, pending))
            yield head

    def _skip_line(self, pending: list[bytes], size: int, max_line: int):
        """Drop the line that ``pending`` starts (no newline in it yet); yields its Flaw, returns what follows it."""
        head = b"".join(pending)[:HEAD_BYTES]
        skipped = size
        while self._pull():
            block, self._head = self._head, b""
            nl = block.find(b"\n")
            if nl >= 0:
                skipped += nl  # the line, without its newline
                rest = block[nl + 1 :]
                yield _oversized(skipped, max_line, head)
                return ([rest] if rest else []), len(rest)
            skipped += len(block)
        yield _oversized(skipped, max_line, head)
        return [], 0


def _cut(blocks: list[bytes], target: int, delimiter: bytes = b"\n") -> tuple[int, int] | None:
    """(block, offset just past the newline) of the last newline before byte ``target`` of the blocks joined, else
    of the first newline after it; None when there is none. The blocks hold at least ``target`` bytes."""
    start = 0
    at = 0
    while start + len(blocks[at]) < target:  # the block holding byte target - 1
        start += len(blocks[at])
        at += 1
    for i in range(at, -1, -1):
        nl = blocks[i].rfind(delimiter, 0, target - start if i == at else len(blocks[i]))
        if nl >= 0:
            return i, nl + 1
        if i:
            start -= len(blocks[i - 1])
    start = sum(map(len, blocks[:at]))
    for i in range(at, len(blocks)):
        nl = blocks[i].find(delimiter, target - start if i == at else 0)
        if nl >= 0:
            return i, nl + 1
    return None


def _bounded(chunk: bytes, max_line: int | None) -> Iterator[bytes | Flaw]:
    """``chunk``, with each line longer than ``max_line`` replaced by a Flaw (lines are looked at only when the
    chunk itself is longer)."""
    if max_line is None or len(chunk) <= max_line:
        yield chunk
        return
    start = kept = 0
    while start < len(chunk):
        nl = chunk.find(b"\n", start)
        end = len(chunk) if nl < 0 else nl
        if end - start > max_line:
            if kept < start:
                yield chunk[kept:start]
            yield _oversized(end - start, max_line, chunk[start : start + HEAD_BYTES])
            kept = end + 1
        start = end + 1
    if kept < len(chunk):
        yield chunk[kept:]


def _oversized(size: int, limit: int, head: bytes) -> Flaw:
    text = head.decode("utf-8", errors="replace")
    return Flaw(f"a record of at most {limit} bytes (MAX_RECORD_BYTES)", f"{size} bytes", text)


def _chain(first: Iterable[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


def _peek(blocks: Iterator[bytes], size: int) -> tuple[bytes, Iterator[bytes]]:
    """The first ``size`` bytes or more (fewer at the end) and an iterator over all the bytes, those included."""
    head = b""
    for block in blocks:
        head += block
        if len(head) >= size:
            break
    return head, _chain([head], blocks)


def _transcode(blocks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    done = 0
    try:
        for block in blocks:
            text = decoder.decode(block)
            done += len(block)
            if text:
                yield text.encode("utf-8", errors="surrogatepass")
        text = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not valid {encoding.upper()}: {exc.reason} near byte {done + exc.start}") from None
    if text:
        yield text.encode("utf-8", errors="surrogatepass")


def _gunzip_strict(blocks: Iterable[bytes], limit: int | None = None) -> Iterator[bytes]:
    """Every gzip member of ``blocks`` in turn, decompressed at most GUNZIP_BLOCK bytes at a time (a small bomb
    block never becomes one huge bytes object); Unreadable past ``limit`` decompressed bytes."""
    decomp = zlib.decompressobj(wbits=31)
    in_member = False
    total = 0
    try:
        for block in blocks:
            while block:
                in_member = True
                out = decomp.decompress(block, GUNZIP_BLOCK)
                while out:
                    total += len(out)
                    if limit is not None and total > limit:
                        raise Unreadable(
                            f"decompressed size exceeds the limit of {limit} bytes (MAX_DECOMPRESSED_BYTES)"
                        )
                    yield out
                    # output held back by the size cap: drain it before feeding more input
                    full = len(out) == GUNZIP_BLOCK and not decomp.eof
                    out = decomp.decompress(decomp.unconsumed_tail, GUNZIP_BLOCK) if full else b""
                if decomp.eof:
                    block = decomp.unused_data
                    decomp = zlib.decompressobj(wbits=31)
                    in_member = False
                    if block and not block.startswith(GZIP_MAGIC[:1]):
                        if block.strip(b"\x00"):
                            raise Unreadable("trailing garbage after the gzip stream")
                        block = b""
                else:
                    block = decomp.unconsumed_tail
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
    """``"ndjson"`` or ``"document"``; raises Unreadable for an empty object.

    Two or more lines whose first is a JSON value are NDJSON; so are lines whose first is broken when the next
    two are JSON objects (or the second is the last); anything else starting with ``[`` or ``{`` is a document.
    """
    first = payload.first_line()
    if not first.strip(BLANK):
        raise Unreadable("empty object: no JSON in it")
    if first.lstrip()[:1] == b"[" or len(first) >= LOOKAHEAD:
        return "document"  # an array, or a first line too long to be sure of: the document splitter reads both
    if looks_like_json_value(first):
        second = payload.second_line()
        if second is None:
            return "document"  # one line: a single record or a minified wrapper
        return "ndjson"
    second, third = payload.nth_line(2), payload.nth_line(3)
    if _object_line(second) and (third is None or _object_line(third)):
        return "ndjson"  # a broken first line
    return "document"


def _object_line(line: bytes | None) -> bool:
    return line is not None and line.lstrip(BLANK)[:1] == b"{" and looks_like_json_value(line)
