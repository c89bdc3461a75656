"""The Lambda ETL: raw JSON to deterministic Parquet under a schema contract."""

import os
import sys

# Arrow picks its memory pool once, when it is first loaded, so the pool is chosen here, before any module of this
# package loads pyarrow: the same pool switched to later (``handler.transform.use_memory_pool``, the fallback when
# pyarrow was loaded first) holds 30-45 MB more peak RSS, left behind in the pool it replaces.
# The system allocator, not Arrow's default (mimalloc: more page faults, the highest peak RSS). jemalloc kept peak RSS
# flatter as the input grew (bench, 50 vs 400 MB: 5-13% against 10-17%, at the same speed), but with it `lake up` twice
# ignored Ctrl-C in CI (its main thread went on polling; never reproduced outside CI), so it is not chosen until that
# is understood (bench/README.md, ninth session). A pool the user chose is left alone.
ARROW_POOL = "ARROW_DEFAULT_MEMORY_POOL"  # Arrow's own setting
MEMORY_POOL = "system"
if ARROW_POOL not in os.environ and "pyarrow" not in sys.modules:
    os.environ[ARROW_POOL] = MEMORY_POOL
