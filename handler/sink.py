"""Local staging of one object's outputs: one Parquet file per ``dt`` and one quarantine NDJSON file.

Files are written to a private temporary directory as the input streams through (bounded memory) and are
published only when the whole object has been read. Writer settings are fixed so the same input gives the
same bytes.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from handler.records import Rejection
from handler.schema import PARTITION_COLUMN
from handler.threads import pool

PARQUET_OPTIONS = {
    "compression": "snappy",
    "version": "2.6",
    "data_page_version": "1.0",
    "use_dictionary": True,
    "write_statistics": True,
    "store_schema": True,
}

BUFFER_ROWS = 1 << 16  # rows held across days before the largest day is written (about 30 MB here)


class PartitionWriter:
    """Parquet files ``<dir>/dt=<day>.parquet``, one per partition, rows in input order.

    Rows are buffered per day and written in row groups of many chunks' rows (a row group per chunk and day
    is slow to write and to read). At most ``buffer_rows`` rows are held: beyond that the day holding the most
    is written (ties: the later day), so the layout, like the bytes, depends only on the input. A row group is
    written on a worker thread while the caller goes on (Parquet encoding releases the GIL); one at a time, so
    each file gets its row groups in the same order and at most one row group is in flight.
    """

    def __init__(self, directory: Path, file_schema: pa.Schema, buffer_rows: int = BUFFER_ROWS) -> None:
        self.directory = Path(directory)
        self.file_schema = file_schema
        self.buffer_rows = buffer_rows
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._pending: dict[str, list[pa.Table]] = {}
        self._pending_rows: dict[str, int] = {}
        self._writing: Future | None = None  # the row group being written, if any
        self.rows: dict[str, int] = {}

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        data = table.drop_columns([PARTITION_COLUMN]).cast(self.file_schema)
        for day, part in by_day(data, table.column(PARTITION_COLUMN)):
            self._pending.setdefault(day, []).append(part)
            self._pending_rows[day] = self._pending_rows.get(day, 0) + part.num_rows
            self.rows[day] = self.rows.get(day, 0) + part.num_rows
        while sum(self._pending_rows.values()) > self.buffer_rows:
            self._flush(max(self._pending_rows, key=lambda d: (self._pending_rows[d], d)))

    def _flush(self, day: str) -> None:
        writer, table = self._take(day)
        self._written()
        self._writing = pool().submit(writer.write_table, table)

    def _written(self) -> None:
        """Wait for the row group in flight (its error, if any, is raised here)."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.result()

    def _take(self, day: str) -> tuple[pq.ParquetWriter, pa.Table]:
        """The day's writer (opened on first use) and its pending rows as one table, now no longer pending."""
        parts = self._pending.pop(day)
        del self._pending_rows[day]
        writer = self._writers.get(day)
        if writer is None:
            path = self.directory / f"dt={day}.parquet"
            writer = pq.ParquetWriter(path, self.file_schema, **PARQUET_OPTIONS)
            self._writers[day] = writer
        return writer, pa.concat_tables(parts) if len(parts) > 1 else parts[0]

    def close(self) -> dict[str, Path]:
        """Finish every file, the days in parallel (one writer per thread); returns ``{dt: path}`` sorted by day."""
        last = {day: self._take(day)[1] for day in sorted(self._pending)}  # opens the writers still missing
        self._written()

        def finish(day: str) -> None:
            if day in last:
                self._writers[day].write_table(last[day])
            self._writers[day].close()

        list(pool().map(finish, list(self._writers)))
        return {day: self.directory / f"dt={day}.parquet" for day in sorted(self._writers)}

    def abort(self) -> None:
        self._pending.clear()
        self._pending_rows.clear()
        with contextlib.suppress(Exception):  # best effort while already failing
            self._written()
        for writer in self._writers.values():
            with contextlib.suppress(Exception):  # best effort while already failing
                writer.close()


def by_day(data: pa.Table, dt: pa.ChunkedArray | pa.Array) -> list[tuple[str, pa.Table]]:
    """The rows of ``data`` of each day in ``dt`` (one per row), the days in order, each day's rows in input order.

    One stable sort of the days' dictionary indices (small integers: five times faster than sorting the strings)
    and one ``take`` group the rows, then each day is a slice; a ``filter`` per day cost twice as much.
    """
    encoded = pc.dictionary_encode(dt.combine_chunks() if isinstance(dt, pa.ChunkedArray) else dt)
    days = encoded.dictionary.to_pylist()
    if len(days) == 1:
        return [(days[0], data)]
    grouped = data.take(pc.sort_indices(encoded.indices))  # stable: a day's rows keep their order
    counts = {row["values"]: row["counts"] for row in pc.value_counts(encoded.indices).to_pylist()}
    parts, start = [], 0
    for k, day in enumerate(days):  # the sort put index k's rows after those of the indices below it
        parts.append((day, grouped.slice(start, counts[k])))
        start += counts[k]
    return sorted(parts, key=lambda part: part[0])


class QuarantineWriter:
    """The quarantine report of one object: NDJSON, one line per rejected record, in input order."""

    def __init__(self, path: Path, raw_key: str, version_id: str | None) -> None:
        self.path = Path(path)
        self.raw_key = raw_key
        self.version_id = version_id
        self._fh = None
        self.count = 0

    def add(self, rejection: Rejection) -> None:
        if self._fh is None:
            self._fh = open(self.path, "wb")  # noqa: SIM115 - kept open while streaming
        self._fh.write(rejection.report_line(self.raw_key, self.version_id))
        self.count += 1

    def close(self) -> Path | None:
        if self._fh is None:
            return None
        self._fh.close()
        return self.path
