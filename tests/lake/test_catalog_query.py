"""Catalog parsing and query helpers that need no AWS."""

from datetime import date

import pyarrow as pa
import pytest

import contracts
from lake.catalog import (
    CatalogError,
    Partition,
    contract_type_from_athena,
    partition_input,
    projected_dates,
    table_spec,
    visible_files,
)
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


# --------------------------------------------------------------------------- what Athena reads (pure)

KEYS = [
    "dataset/users/schema=1/dt=2024-05-01/a.parquet",
    "dataset/users/schema=1/dt=2024-05-02/b.parquet",
    "dataset/users/schema=1/dt=2024-05-02/_tmp.json",
    "dataset/users/schema=10/dt=2024-05-01/other-table.parquet",
]
LOC = "s3://lake-local-curated/dataset/users/schema=1/"


def test_crawler_mode_reads_only_registered_partitions_and_names_the_rest():
    spec = table_spec("lake_local", GLUE_TABLE)
    seen = visible_files(spec, KEYS, [Partition("2024-05-01", f"{LOC}dt=2024-05-01/")], date(2024, 6, 1))
    assert seen.keys == ("dataset/users/schema=1/dt=2024-05-01/a.parquet",)
    assert seen.unregistered == ("2024-05-02",)
    assert visible_files(spec, KEYS, [], date(2024, 6, 1)).keys == ()


def test_a_partition_outside_the_table_is_refused():
    spec = table_spec("lake_local", GLUE_TABLE)
    for outside in ("s3://lake-local-raw/incoming/users/", "s3://lake-local-curated/dataset/users/schema=10/"):
        with pytest.raises(CatalogError, match=r"outside the table location .*ATHENA-NO-RAW"):
            visible_files(spec, KEYS, [Partition("2024-05-01", outside)], date(2024, 6, 1))


def test_projection_enumerates_the_dates_of_its_range_and_format():
    params = {
        "projection.enabled": "true",
        "projection.dt.range": "2024-05-02,NOW",
        "projection.dt.format": "yyyy-MM-dd",
    }
    spec = table_spec("lake_local", {**GLUE_TABLE, "Parameters": params})
    assert spec.projected
    assert visible_files(spec, KEYS, None, date(2024, 6, 1)).keys == ("dataset/users/schema=1/dt=2024-05-02/b.parquet",)
    assert visible_files(spec, KEYS, None, date(2024, 5, 1)).keys == ()  # NOW is before the data
    assert projected_dates(spec, ["2024-05-03", "2024-5-3", "latest", "2024-02-30"], date(2024, 6, 1)) == ["2024-05-03"]
    bad = table_spec("lake_local", {**GLUE_TABLE, "Parameters": {**params, "projection.dt.range": "yesterday"}})
    with pytest.raises(CatalogError, match=r"projection\.dt\.range"):
        visible_files(bad, KEYS, None, date(2024, 6, 1))


def test_a_projection_template_outside_the_table_is_refused():
    params = {
        "projection.enabled": "true",
        "projection.dt.range": "2024-01-01,NOW",
        "storage.location.template": "s3://lake-local-raw/incoming/users/dt=${dt}/",
    }
    spec = table_spec("lake_local", {**GLUE_TABLE, "Parameters": params})
    with pytest.raises(CatalogError, match=r"storage\.location\.template .* outside the table location"):
        visible_files(spec, KEYS, None, date(2024, 6, 1))


def test_partition_input_inherits_the_table_storage():
    part = partition_input(GLUE_TABLE, "2024-05-01")
    assert part["Values"] == ["2024-05-01"]
    assert part["StorageDescriptor"]["Location"] == f"{LOC}dt=2024-05-01/"
    assert part["StorageDescriptor"]["Columns"] == GLUE_TABLE["StorageDescriptor"]["Columns"]
