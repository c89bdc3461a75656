"""The partition writer: rows per day in input order, buffered into few row groups, bounded memory."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from handler.sink import PartitionWriter, by_day

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


@pytest.mark.parametrize("chunks", [1, 3])
def test_by_day_gives_each_days_rows_in_input_order_and_the_days_sorted(chunks):
    days = ["2024-05-03", "2024-05-01", "2024-05-03", "2024-05-02", "2024-05-01", "2024-05-03", "2024-05-02"]
    data = pa.table({"n": list(range(len(days)))})
    size = -(-len(days) // chunks)
    dt = pa.chunked_array([days[i : i + size] for i in range(0, len(days), size)])
    parts = by_day(data, dt)
    assert [day for day, _ in parts] == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert [part.column("n").to_pylist() for _, part in parts] == [[1, 4], [3, 6], [0, 2, 5]]
    assert by_day(data, pa.array(["2024-05-09"] * len(days))) == [("2024-05-09", data)]


def test_each_days_rows_hold_only_their_own_memory():
    """A day waiting in the buffer must not keep the other days of its chunk alive (a slice of one grouped table
    would: its buffers are the whole chunk's)."""
    n = 70_000
    days = [f"2024-05-0{1 + i % 7}" for i in range(n)]
    data = pa.table({"n": pa.array(range(n), pa.int64()), "s": [f"value {i:08d}" for i in range(n)]})
    whole = data.get_total_buffer_size()
    parts = by_day(data, pa.array(days))
    assert len(parts) == 7
    for _, part in parts:
        assert part.get_total_buffer_size() < whole / 5  # a seventh of the rows, and only those


def test_the_parquet_writers_run_on_one_thread_of_their_own(tmp_path, monkeypatch):
    """Opening, writing and closing every file happen on the same dedicated thread, never on the caller's or the
    shared pool's (see ``PartitionWriter``: the writers' memory kept apart from the readers' buffers)."""
    import threading

    seen: list[str] = []
    real = pq.ParquetWriter

    class Recording(real):
        def __init__(self, *args, **kwargs):
            seen.append(threading.current_thread().name)
            super().__init__(*args, **kwargs)

        def write_table(self, *args, **kwargs):
            seen.append(threading.current_thread().name)
            return super().write_table(*args, **kwargs)

        def close(self):
            seen.append(threading.current_thread().name)
            return super().close()

    monkeypatch.setattr(pq, "ParquetWriter", Recording)
    days = ["2024-05-01", "2024-05-02", "2024-05-03"]
    batches = [[(100 * b + i, days[(b + i) % 3]) for i in range(40)] for b in range(30)]
    files, rows, _ = _write(tmp_path, "threads", 100, batches)
    assert sorted(files) == days and sum(rows.values()) == 1200
    assert len(seen) > 3 * 2 and len(set(seen)) == 1 and seen[0].startswith("parquet")


def test_a_failed_row_group_is_raised_to_the_caller_and_abort_still_finishes(tmp_path, monkeypatch):
    real = pq.ParquetWriter

    class Failing(real):
        def write_table(self, *args, **kwargs):
            raise OSError("No space left on device")

    monkeypatch.setattr(pq, "ParquetWriter", Failing)
    writer = PartitionWriter(tmp_path, FILE_SCHEMA, buffer_rows=10)
    with pytest.raises(OSError, match="No space left"):
        for b in range(5):
            writer.write(pa.table({"n": list(range(b * 20, b * 20 + 20)), "dt": ["2024-05-01"] * 20}))
        writer.close()
    writer.abort()  # never raises, never hangs
