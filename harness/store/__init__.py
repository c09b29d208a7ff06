"""The results store (SQLite, WAL, schema-versioned; docs/records.md) and its exports.

See :mod:`harness.store.store` for the API and guarantees.
"""

from harness.store.export import TABLES, export_store
from harness.store.schema import SCHEMA_VERSION
from harness.store.store import ResultStore, StoreError, utc_now

__all__ = ["SCHEMA_VERSION", "TABLES", "ResultStore", "StoreError", "export_store", "utc_now"]
