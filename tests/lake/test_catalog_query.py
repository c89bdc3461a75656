"""Catalog parsing and query helpers that need no AWS."""

import pyarrow as pa
import pytest

import contracts
from lake.catalog import CatalogError, contract_type_from_athena, table_spec
from lake.query import QueryError, QueryResult, check_file_schema, referenced_tables, render


def test_athena_types_map_back_to_contract_types():
    for contract in contracts.discover():
        for name, athena in contracts.glue_columns(contract):
            assert contract_type_from_athena(athena) == contract.field(name).type


def test_unknown_athena_type_is_named():
    with pytest.raises(CatalogError, match="'tinyint'"):
        contract_type_from_athena("tinyint")


GLUE_TABLE = {
    "Name": "users_v1",
    "StorageDescriptor": {
        "Location": "s3://lake-local-curated/dataset/users/schema=1/",
        "Columns": [{"Name": "user_id", "Type": "bigint"}, {"Name": "tags", "Type": "array<string>"}],
    },
    "PartitionKeys": [{"Name": "dt", "Type": "string"}],
}


def test_table_spec_reads_location_columns_and_partitions():
    spec = table_spec("lake_local", GLUE_TABLE)
    assert (spec.bucket, spec.prefix) == ("lake-local-curated", "dataset/users/schema=1")
    assert [c.name for c in spec.columns] == ["user_id", "tags"]
    assert [k.name for k in spec.partition_keys] == ["dt"]


def test_table_without_s3_location_is_rejected():
    bad = {**GLUE_TABLE, "StorageDescriptor": {**GLUE_TABLE["StorageDescriptor"], "Location": "/tmp/x"}}
    with pytest.raises(CatalogError, match="users_v1: location"):
        table_spec("db", bad)


def test_referenced_tables_match_whole_names_only():
    specs = {"users_v1": None, "users_v10": None, "tweets_v1": None}
    assert referenced_tables("select * from users_v10 join tweets_v1 using (x)", specs) == ["users_v10", "tweets_v1"]
    assert referenced_tables("select * from lake_local.users_v1", specs) == ["users_v1"]


def test_catalog_type_that_disagrees_with_the_file_fails_like_athena():
    spec = table_spec("lake_local", GLUE_TABLE)
    expected = pa.schema([("user_id", pa.int64()), ("tags", pa.list_(pa.string()))])
    check_file_schema(
        spec, expected, "b/k.parquet", pa.schema([("user_id", pa.int64()), ("tags", pa.list_(pa.string()))])
    )
    with pytest.raises(QueryError, match=r"column 'user_id' is bigint in the Glue catalog but .* stores string"):
        check_file_schema(spec, expected, "b/k.parquet", pa.schema([("user_id", pa.string())]))


def test_render_formats():
    result = QueryResult(pa.table({"n": [1, 2], "s": ["é", None]}), engine="duckdb (local)")
    assert render(result, "csv") == "n,s\n1,é\n2,"
    assert '"s": "é"' in render(result, "json")
    text = render(result, "table")
    assert "2 row(s) via duckdb (local)" in text and "é" in text


def test_athena_cost_has_a_10mb_minimum():
    assert QueryResult(pa.table({}), "athena", bytes_scanned=1).cost_usd == pytest.approx(10 * 1024**2 / 1024**4 * 5)
