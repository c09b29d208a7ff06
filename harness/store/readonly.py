"""Opening a store for reading only, and checking a path before a writer uses it.

* :func:`open_readonly` — how every read-only command (``show``, ``report``, ``export``, ``check``
  against a stored baseline) opens a store: it never needs the writer lease, never creates a file beside
  the store (no ``-wal`` / ``-shm``) and reads stores in read-only folders and read-only files. The rule
  itself lives in :mod:`metrics.store_file` (the metrics package may not import ``harness``; both use
  it). Code that adds a derived table calls :func:`store_is_writable` (also ``metrics.store_file``'s)
  to decide whether to write it.
* :func:`prepare_writer_path` — what ``run`` / ``play --store`` check before they create or open a store
  for writing: a path under a file, an unwritable folder, a read-only store and a file that is not a
  store are one-line :class:`~harness.store.errors.StoreError` s, and nothing is written.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from harness.store.errors import StoreError
from harness.store.schema import SCHEMA_VERSION
from metrics.errors import StoreError as _MetricsStoreError
from metrics.store_file import check_store_file, connect_readonly, describe_file, store_is_writable

__all__ = ["connect_readonly", "open_readonly", "prepare_writer_path", "store_is_writable"]


def open_readonly(path: Path | str) -> sqlite3.Connection:
    """Check ``path`` is a Stratagem store this version reads, and open it read-only.

    Raises:
        StoreError: No such file, or a file that is not such a store (the message says what it is).
    """
    path = Path(path)
    try:
        check_store_file(path, SCHEMA_VERSION)
        return connect_readonly(path)
    except _MetricsStoreError as exc:
        raise StoreError(str(exc)) from None


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def prepare_writer_path(path: Path) -> None:
    """Refuse a store path a writer cannot use, before anything is created; create missing folders.

    Raises:
        StoreError: A parent is a file, a folder cannot be created or written, the store is read-only, or
            the file is not a Stratagem store. An empty file and an SQLite database without tables are
            accepted: another writer may be creating the store right now (``metrics.store_file``), and
            the writer's own schema transaction, which waits for that writer's, decides.
    """
    if path.exists():
        what = describe_file(path, SCHEMA_VERSION, blank_ok=True)
        if what is not None:
            raise StoreError(f"{path}: {what}")
        if not store_is_writable(path):
            raise StoreError(
                f"{path}: the store is read-only (no write permission, or a read-only file system);"
                " show, report and export can read it, but run and play need to write it"
            )
        return
    base = _nearest_existing(path.parent)
    if not base.is_dir():
        raise StoreError(f"{path}: cannot create the store, {base} is a file, not a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise StoreError(f"{path}: cannot create the store, the folder {base} is not writable")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the store's folder ({exc.strerror or exc})") from None
