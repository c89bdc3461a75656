"""Hypothesis: any document or record never crashes the transform, accounting balances, and the fast Arrow
path decides every record exactly as the per-record validator does."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from handler_helpers import USERS, run, user

from handler import elements
from handler.plan import Plan

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    # json.dumps writes these as NaN, Infinity and -Infinity: no JSON, but Arrow reads them as numbers
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.text(max_size=12),
    st.sampled_from(["2024-05-01T10:00:00+0000", "2024-02-30T00:00:00Z", "2024-05-01", "1.25", "12.345", "x"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
timestamps = st.one_of(
    st.from_regex(
        r"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](Z|[+-][0-2][0-9]:?[0-5][0-9])?",
        fullmatch=True,
    ),
    st.datetimes().map(lambda d: d.isoformat()),
    st.text(max_size=25),
)


@st.composite
def mutated_users(draw):
    """A valid user record with a few paths replaced by arbitrary JSON values or removed."""
    rec = user(draw(st.integers(0, 10_000)))
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(
            [("user", "id"), ("user", "email"), ("user", "age"), ("user", "score"), ("user", "active"),
             ("user", "address"), ("user", "signup_date"), ("tags",), ("account", "balance"), ("updated_at",),
             ("user",), ("account",), ("extra",), ("user", "extra")]
        ))  # fmt: skip
        node = rec
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else {}
        if not isinstance(node, dict):
            continue
        action = draw(st.sampled_from(["value", "delete", "timestamp"]))
        if action == "delete":
            node.pop(path[-1], None)
        elif action == "timestamp":
            node[path[-1]] = draw(timestamps)
        else:
            node[path[-1]] = draw(json_values)
    return rec


lines = st.one_of(
    mutated_users().map(lambda r: json.dumps(r).encode()),
    # a byte that is no UTF-8 in a string (the email's "@", when it is still there): Arrow copies it as it is
    mutated_users().map(lambda r: json.dumps(r).encode().replace(b"@", b"\xc0@", 1)),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=30).filter(lambda b: b"\n" not in b),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, min_size=1, max_size=12))
def test_ndjson_fast_path_agrees_with_validator_and_balances(batch):
    data = b"\n".join(batch) + b"\n"
    fast = run(data, USERS, fast=True, chunk_bytes=256)
    slow = run(data, USERS, fast=False)
    for staged, *_ in (fast, slow):
        assert staged.records_in == staged.written + staged.quarantined
    assert fast[0].unreadable == slow[0].unreadable
    if fast[0].unreadable is None:
        assert fast[1] == slow[1]
        assert [(r.get("line"), r["field"]) for r in fast[2]] == [(r.get("line"), r["field"]) for r in slow[2]]


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(
        json_values.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=60),
        st.lists(mutated_users(), max_size=4).map(lambda rs: json.dumps(rs).encode()),
    )
)
def test_any_document_is_accounted_for(data):
    staged, rows, report, _ = run(data, USERS)
    assert staged.records_in == staged.written + staged.quarantined
    assert sum(len(v) for v in rows.values()) == staged.written
    assert len(report) == staged.quarantined
    if staged.unreadable:
        assert staged.records_in == 0


WRAPPED = Plan.of(dataclasses.replace(USERS.contract, records_path="data.records"))
awkward_text = st.sampled_from(["}, {", "},{", "]", "[{", '"', "\\", "\n", "\u2028", "x"])


@st.composite
def shape_records(draw):
    """Records as an upload holds them: mostly (mutated) users, some with awkward strings, a few other values;
    the first is an object (a lone scalar is no NDJSON file)."""
    first = draw(mutated_users())
    rest = draw(st.lists(st.one_of(mutated_users(), mutated_users(), json_values), max_size=10))
    records = [first, *rest]
    for record in records:
        if isinstance(record, dict) and draw(st.booleans()):
            record["note"] = draw(st.lists(awkward_text, max_size=3).map("".join))
    return records


def shapes(records: list) -> dict[str, tuple[bytes, Plan]]:
    lines = [json.dumps(r) for r in records]
    wrapper = {"meta": {"n": [1, {"x": "]"}]}, "data": {"records": records}, "tail": [{"a": 1}, {"b": 2}]}
    return {
        "ndjson": ("\n".join(lines).encode() + b"\n", USERS),
        "array": (json.dumps(records).encode(), USERS),
        "array, one per line": (("[\n" + ",\n".join(lines) + "\n]\n").encode(), USERS),
        "array, indented": (json.dumps(records, indent=2).encode(), USERS),
        "records_path": (json.dumps(wrapper, separators=(",", ":")).encode(), WRAPPED),
    }


def accounting(report: list[dict]) -> list[tuple]:
    return sorted((r["line"] - 1 if "line" in r else r["index"], r["field"], r["expected"], r["got"]) for r in report)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape_records(), st.sampled_from([200, 1 << 20]))
def test_every_shape_gives_the_rows_and_quarantine_of_the_same_ndjson(records, chunk_bytes):
    results = {name: run(data, plan, chunk_bytes=chunk_bytes) for name, (data, plan) in shapes(records).items()}
    staged, rows, report, _ = results.pop("ndjson")
    assert staged.unreadable is None and staged.records_in == len(records)
    for name, (other, other_rows, other_report, _) in results.items():
        assert other.unreadable is None, name
        assert (other.records_in, other.written, other.quarantined) == (
            staged.records_in, staged.written, staged.quarantined), name  # fmt: skip
        assert other_rows == rows, name
        assert accounting(other_report) == accounting(report), name


@st.composite
def mostly_clean_users(draw):
    """Users, most of them clean, so that a document's regions are read as Rows (``elements.Rows``: once the region
    before was clean); the others hold awkward strings (one ending in ``}, {`` holds the separator), a required
    field null (read by Arrow, judged by the validator) or a value Arrow refuses. The first records are clean: a
    separator inside a string in a region read as lines makes the rest of the document split exactly."""
    records = [user(i) for i in range(draw(st.integers(30, 80)))]
    for record in records[12:]:
        kind = draw(st.sampled_from(["clean"] * 5 + ["awkward", "awkward", "suspect", "refused"]))
        if kind == "awkward":
            record["user"]["name"] = draw(st.lists(awkward_text, min_size=1, max_size=3).map("".join))
        elif kind == "suspect":
            record["user"]["id"] = None
        elif kind == "refused":
            record["user"]["id"] = "x"
    return records


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mostly_clean_users(), st.sampled_from([1, 400, 64 << 10]), st.sampled_from([1200, 4000]))
def test_documents_read_as_rows_give_the_rows_and_quarantine_of_the_same_ndjson(records, row_bytes, chunk_bytes):
    with mock.patch.object(elements, "ROW_BYTES", row_bytes):
        results = {name: run(data, plan, chunk_bytes=chunk_bytes) for name, (data, plan) in shapes(records).items()}
    staged, rows, report, _ = results.pop("ndjson")
    for name, (other, other_rows, other_report, _) in results.items():
        assert (other.records_in, other.written, other.quarantined) == (
            staged.records_in, staged.written, staged.quarantined), name  # fmt: skip
        assert other_rows == rows, name
        assert accounting(other_report) == accounting(report), name


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape_records())
def test_the_same_document_uploaded_twice_gives_byte_identical_output(records):
    for data, plan in shapes(records).values():
        first, second = run(data, plan, chunk_bytes=300), run(data, plan, chunk_bytes=300)
        assert first[3] == second[3] and first[2] == second[2]


structure_soup = st.text(alphabet='[]{},:" \n\\a1tn', max_size=80).map(str.encode)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(structure_soup.map(lambda b: b"[" + b), structure_soup.map(lambda b: b"{" + b), structure_soup),
       st.sampled_from([1, 7, 64, 1 << 20]), st.booleans())  # fmt: skip
def test_any_structure_in_any_region_size_is_accounted_for(data, chunk_bytes, wrapped):
    staged, rows, report, _ = run(data, WRAPPED if wrapped else USERS, chunk_bytes=chunk_bytes)
    assert staged.records_in == staged.written + staged.quarantined
    assert len(report) == staged.quarantined and sum(len(v) for v in rows.values()) == staged.written
    assert not staged.unreadable or staged.records_in == 0
