"""The contract format: parsing, type mapping and the one-line errors a contract author sees."""

import json

import pytest

import contracts as c


def test_every_shipped_contract_loads_and_maps_to_athena():
    found = {(x.dataset, x.version) for x in c.discover()}
    assert {("users", 1), ("tweets", 1)} <= found
    for contract in c.discover():
        cols = c.glue_columns(contract)
        assert [n for n, _ in cols] == list(contract.field_names)
        assert contract.curated_prefix == f"dataset/{contract.dataset}/schema={contract.version}"


@pytest.mark.parametrize(
    ("text", "athena"),
    [
        ("string", "string"),
        ("int64", "bigint"),
        ("float64", "double"),
        ("bool", "boolean"),
        ("timestamp", "timestamp"),
        ("date", "date"),
        ("decimal(12,2)", "decimal(12,2)"),
        ("list<int64>", "array<bigint>"),
        ("struct<a:bool,b:list<struct<c:float64>>>", "struct<a:boolean,b:array<struct<c:double>>>"),
    ],
)
def test_type_round_trip_and_athena_spelling(text, athena):
    parsed = c.parse_type(text)
    assert str(parsed) == text
    assert c.athena_type(parsed) == athena


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("int32", "unknown type 'int32'"),
        ("list<string", "ended early"),
        ("decimal(40,2)", "precision"),
        ("struct<a:string,a:int64>", "duplicate struct member"),
        ("struct<A:string>", "lower_snake"),
        ("list<string>>", "unexpected '>'"),
    ],
)
def test_bad_types_are_named(text, needle):
    with pytest.raises(c.ContractError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        c.parse_type(text)


def _doc(**over):
    doc = {
        "dataset": "orders",
        "version": 1,
        "partition_field": "at",
        "fields": [{"name": "at", "type": "timestamp", "required": True, "nullable": False}],
    }
    doc.update(over)
    return doc


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        (_doc(version=0), "version 0"),
        (_doc(dataset="Orders"), "dataset 'Orders'"),
        (_doc(partition_field="nope"), "partition_field 'nope'"),
        (_doc(fields=[{"name": "at", "type": "string", "required": True, "nullable": False}]), "timestamp or date"),
        (_doc(fields=[{"name": "at", "type": "timestamp"}]), "required, non-nullable"),
        (_doc(fields=[{"name": "dt", "type": "date"}]), "partition column"),
        (_doc(extra=1), "unknown keys"),
        (
            _doc(fields=[{"name": "at", "type": "timestamp", "required": True, "nullable": False, "format": 3}]),
            "strptime",
        ),
    ],
)
def test_bad_contracts_name_the_file_and_problem(doc, needle):
    with pytest.raises(c.ContractError) as err:
        c.parse_contract(doc, source="contracts/orders/v1.json")
    assert str(err.value).startswith("contracts/orders/v1.json: ")
    assert needle in str(err.value)


def test_file_name_must_match_dataset_and_version(tmp_path):
    (tmp_path / "orders").mkdir()
    path = tmp_path / "orders" / "v2.json"
    path.write_text(json.dumps(_doc()))
    with pytest.raises(c.ContractError, match=r"must be contracts/orders/v1\.json"):
        c.load_file(path)


def test_malformed_json_is_one_line(tmp_path):
    (tmp_path / "orders").mkdir()
    path = tmp_path / "orders" / "v1.json"
    path.write_text('{"dataset": ')
    with pytest.raises(c.ContractError, match=r"v1.json: not valid JSON: .* line 1"):
        c.load_file(path)
