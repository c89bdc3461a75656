"""How much one object may hold: the decompressed size and the size of one record (both from the environment).

Bounded memory needs both: a gzip bomb expands without end, and one record (an NDJSON line, an array element)
is read whole. A record over its limit is quarantined with its size, never parsed; an object over its
decompressed limit is reported unreadable as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MAX_DECOMPRESSED_BYTES = 2 << 30  # 2 GiB: more than one function processes within its timeout (bench/README.md)
MAX_RECORD_BYTES = 32 << 20  # 32 MiB: a record is parsed in memory a few times over


class LimitsError(ValueError):
    """A limit in the environment is not a positive integer."""


@dataclass(frozen=True)
class Limits:
    max_decompressed_bytes: int = MAX_DECOMPRESSED_BYTES
    max_record_bytes: int = MAX_RECORD_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Limits:
        values = {}
        for name, attr in (
            ("MAX_DECOMPRESSED_BYTES", "max_decompressed_bytes"),
            ("MAX_RECORD_BYTES", "max_record_bytes"),
        ):
            raw = environ.get(name)
            if not raw:
                continue
            try:
                value = int(raw)
            except ValueError:
                raise LimitsError(f"{name}={raw!r} is not an integer") from None
            if value <= 0:
                raise LimitsError(f"{name}={raw!r} must be positive")
            values[attr] = value
        return cls(**values)
