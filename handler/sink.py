"""Local staging of one object's outputs: one Parquet file per ``dt`` and one quarantine NDJSON file.

Files are written to a private temporary directory as the input streams through (bounded memory) and are
published only when the whole object has been read. Writer settings are fixed so the same input gives the
same bytes.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from handler.records import Rejection, encode_report_line
from handler.schema import PARTITION_COLUMN

PARQUET_OPTIONS = {
    "compression": "snappy",
    "version": "2.6",
    "data_page_version": "1.0",
    "use_dictionary": True,
    "write_statistics": True,
    "store_schema": True,
}


class PartitionWriter:
    """Parquet files ``<dir>/dt=<day>.parquet``, one per partition, rows in input order."""

    def __init__(self, directory: Path, file_schema: pa.Schema) -> None:
        self.directory = Path(directory)
        self.file_schema = file_schema
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        dt = table.column(PARTITION_COLUMN)
        data = table.drop_columns([PARTITION_COLUMN]).cast(self.file_schema)
        days = sorted(pc.unique(dt).to_pylist())
        for day in days:
            part = data if len(days) == 1 else data.filter(pc.equal(dt, day))
            writer = self._writers.get(day)
            if writer is None:
                path = self.directory / f"dt={day}.parquet"
                writer = pq.ParquetWriter(path, self.file_schema, **PARQUET_OPTIONS)
                self._writers[day] = writer
            writer.write_table(part)
            self.rows[day] = self.rows.get(day, 0) + part.num_rows

    def close(self) -> dict[str, Path]:
        """Finish every file; returns ``{dt: path}`` sorted by day."""
        for writer in self._writers.values():
            writer.close()
        return {day: self.directory / f"dt={day}.parquet" for day in sorted(self._writers)}

    def abort(self) -> None:
        for writer in self._writers.values():
            with contextlib.suppress(Exception):  # best effort while already failing
                writer.close()


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
        self._fh.write(encode_report_line(rejection.report(self.raw_key, self.version_id)))
        self.count += 1

    def close(self) -> Path | None:
        if self._fh is None:
            return None
        self._fh.close()
        return self.path
