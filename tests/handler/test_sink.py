"""The partition writer: rows per day in input order, buffered into few row groups, bounded memory."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from handler.sink import PartitionWriter

FILE_SCHEMA = pa.schema([pa.field("n", pa.int64(), nullable=False)])


def _write(tmp_path, name: str, buffer_rows: int, batches: list[list[tuple[int, str]]]):
    (tmp_path / name).mkdir()
    writer = PartitionWriter(tmp_path / name, FILE_SCHEMA, buffer_rows=buffer_rows)
    peak = 0
    for batch in batches:
        writer.write(pa.table({"n": [n for n, _ in batch], "dt": [d for _, d in batch]}))
        peak = max(peak, sum(writer._pending_rows.values()))
    return writer.close(), writer.rows, peak


def test_buffered_rows_keep_input_order_per_day_and_stay_bounded(tmp_path):
    days = ["2024-05-01", "2024-05-02", "2024-05-03"]
    batches = [[(100 * b + i, days[(b + i) % 3]) for i in range(40)] for b in range(30)]
    small, rows_small, peak = _write(tmp_path, "small", 100, batches)
    large, rows_large, _ = _write(tmp_path, "large", 10_000, batches)
    assert peak <= 100 and rows_small == rows_large == {d: 400 for d in days}
    for day in days:
        expected = [n for batch in batches for n, d in batch if d == day]
        assert pq.read_table(small[day]).column("n").to_pylist() == expected
        assert pq.read_table(large[day]).column("n").to_pylist() == expected
        assert pq.ParquetFile(large[day]).num_row_groups == 1  # one row group, not one per batch
        assert pq.ParquetFile(small[day]).num_row_groups < 30
    again, _, _ = _write(tmp_path, "again", 100, batches)
    assert all(again[d].read_bytes() == small[d].read_bytes() for d in days)
