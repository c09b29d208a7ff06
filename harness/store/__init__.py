"""The results store (SQLite, schema-versioned; docs/records.md) and its exports.

See :mod:`harness.store.store` for the API and guarantees, :mod:`harness.store.rows` for the rows of a
match as they are inserted, :mod:`harness.store.lease` for the writer lease and
:mod:`harness.store.readonly` for read-only opens (no lease, no file created beside the store).
"""

from harness.store.errors import StoreError
from harness.store.export import TABLES, export_store
from harness.store.lease import LeaseLost, StoreBusy
from harness.store.readonly import open_readonly, store_is_writable
from harness.store.schema import SCHEMA_VERSION
from harness.store.store import ResultStore, utc_now

__all__ = [
    "SCHEMA_VERSION",
    "TABLES",
    "LeaseLost",
    "ResultStore",
    "StoreBusy",
    "StoreError",
    "export_store",
    "open_readonly",
    "store_is_writable",
    "utc_now",
]
