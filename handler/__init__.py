"""The Lambda ETL: raw JSON to deterministic Parquet under a schema contract."""
