"""The Lambda ETL: raw JSON to deterministic Parquet under a schema contract."""

import os
import sys

# Arrow picks its memory pool once, when it is first loaded, so the pool is chosen here, before any module of this
# package loads pyarrow: the same pool switched to later (``handler.transform.use_memory_pool``, the fallback when
# pyarrow was loaded first) holds 30-45 MB more peak RSS, left behind in the pool it replaces.
# jemalloc (in pyarrow's Linux wheels, Lambda's included) keeps peak RSS flat as the input grows: with the C
# library's allocator, Arrow's megabyte buffers and the Parquet writers' long-lived metadata share its heaps, and
# what it keeps of the freed buffers crept up for the whole object (bench, 50 vs 400 MB: 10-17% more with it, 5-13%
# with jemalloc, at the same speed). Elsewhere the system allocator (other platforms' wheels may lack jemalloc).
# A pool the user chose is left alone.
ARROW_POOL = "ARROW_DEFAULT_MEMORY_POOL"  # Arrow's own setting
MEMORY_POOL = "jemalloc" if sys.platform.startswith("linux") else "system"
if ARROW_POOL not in os.environ and "pyarrow" not in sys.modules:
    os.environ[ARROW_POOL] = MEMORY_POOL
