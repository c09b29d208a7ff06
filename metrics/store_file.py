"""Opening a results store without writing to it, and saying what a file is when it is not a store.

Every reader of a store (``stratagem show``, ``report``, ``export``, ``check`` against a stored baseline,
the metrics' loader, derived caches that only read) opens it through :func:`connect_readonly`:

* it never creates, changes or leaves a file beside the store: no ``-wal``, no ``-shm``, no journal;
* it reads a store in a read-only folder, or a read-only store file.

The rule. A store written by Stratagem rests in rollback-journal mode (its writer switches it back from
WAL when it closes, :mod:`harness.store.store`), and SQLite's ``mode=ro`` reads such a file without
creating anything. While a writer is at work (or after one crashed) the store is in WAL mode and its
``-wal`` / ``-shm`` files exist already; ``mode=ro`` uses them and adds none. The one case where
``mode=ro`` would create both files is a WAL-mode store with no ``-wal`` file (left by an older Stratagem,
or another tool): no connection is open on it then, and it is read with ``immutable=1``, which creates
nothing. ``immutable=1`` is also the fallback when ``mode=ro`` cannot open the file at all (a read-only
folder where the WAL index cannot be created).

**A store being created.** A writer creates a new store in steps: the file appears empty (``connect``),
then gets an SQLite header with no tables (``journal_mode=WAL``), then the schema in ONE transaction, then
the writer lease in another. Another writer that starts at the same moment can look at the file at any of
these steps, so to a writer (``blank_ok``) an empty file and an SQLite database with no tables are not
"another program's" files: they are a store being created (or a blank file that becomes one). The writer
goes on to its own ``BEGIN IMMEDIATE`` schema transaction, which waits for the creator's, sees the schema
and then the lease holder: its verdict is the same "being written by …" refusal whichever step it saw.

This module imports only the standard library (and the metrics' error type): the metrics package may not
import ``harness``, and ``harness.store.readonly`` re-exports these functions for the harness.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from metrics.errors import StoreError

__all__ = [
    "STORE_TABLES",
    "check_store_file",
    "connect_readonly",
    "describe_file",
    "foreign_tables",
    "is_wal_mode",
    "store_is_writable",
]

_SQLITE_MAGIC = b"SQLite format 3\x00"
#: Tables every Stratagem store has (``docs/records.md``).
STORE_TABLES = ("meta", "runs", "matches", "rounds", "decisions")


def _uri(path: Path, query: str) -> str:
    return f"file:{quote(str(path.resolve()))}?{query}"


def is_wal_mode(path: Path) -> bool:
    """Whether the database header says WAL (file format bytes 18 and 19 are 2)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(20)
    except OSError:
        return False
    return len(head) == 20 and head.startswith(_SQLITE_MAGIC) and head[18] == 2 and head[19] == 2


def connect_readonly(path: Path | str) -> sqlite3.Connection:
    """Open ``path`` read-only without creating any file beside it (see the module docstring).

    Args:
        path: An existing SQLite file (check it first with :func:`check_store_file`).

    Returns:
        A connection that can only read.

    Raises:
        StoreError: SQLite cannot open the file even with ``immutable=1``.
    """
    path = Path(path)
    wal = Path(f"{path}-wal")
    attempts = ["immutable=1"] if is_wal_mode(path) and not wal.exists() else ["mode=ro", "immutable=1"]
    last: sqlite3.Error | None = None
    for query in attempts:
        try:
            con = sqlite3.connect(_uri(path, query), uri=True, timeout=30.0)
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # opening is lazy: touch it
            return con
        except sqlite3.Error as exc:
            last = exc
    raise StoreError(f"{path}: cannot open the store read-only ({last})")


def _text_preview(head: bytes) -> str | None:
    """The first line of ``head`` if it reads as text, else ``None``."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # a cut multi-byte character at the end is still text
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return None
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:40] + ("…" if len(first) > 40 else "")


def foreign_tables(tables: list[str]) -> str:
    """How a database with ``tables`` (some, but not a store's) is described."""
    listed = ", ".join(tables[:8]) + (", …" if len(tables) > 8 else "")
    return f"an SQLite database of another program (tables: {listed}), not a Stratagem store"


def describe_file(path: Path, schema_version: str, *, blank_ok: bool = False) -> str | None:
    """What ``path`` is, when it is not a readable Stratagem store of ``schema_version``; ``None`` if it is.

    Args:
        path: The file.
        schema_version: The store schema version this Stratagem reads.
        blank_ok: A writer asks: an empty file and an SQLite database without tables are a store being
            created (or a blank file a writer may start a store in), so they are ``None`` too. The
            writer's schema transaction then decides (see the module docstring).

    Returns:
        One phrase saying what the file is, or ``None``.
    """
    if not path.exists():
        return "no such file"
    if path.is_dir():
        return "a folder, not a store file"
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not head:
        return None if blank_ok else "an empty file, not a Stratagem store"
    if not head.startswith(_SQLITE_MAGIC):
        preview = _text_preview(head)
        if preview is not None:
            return f"a text file (it starts with {preview!r}), not a Stratagem store"
        size = path.stat().st_size
        return f"not an SQLite database ({size:,} bytes of binary data), not a Stratagem store"
    try:
        con = connect_readonly(path)
    except StoreError as exc:
        return str(exc).removeprefix(f"{path}: ")
    try:
        tables = sorted(r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'"))
        if not tables:
            if blank_ok:
                return None
            return "an SQLite database with no tables (a store being created, or a blank one), not a store"
        if not set(STORE_TABLES) <= set(tables):
            return foreign_tables(tables)
        row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    except sqlite3.Error as exc:
        return f"an SQLite file that cannot be read ({exc})"
    finally:
        con.close()
    version = None if row is None else str(row[0])
    if version == schema_version:
        return None
    newer = version is not None and version.isdigit() and schema_version.isdigit()
    if newer and int(str(version)) > int(schema_version):
        return (
            f"a Stratagem store of schema version {version}, newer than this Stratagem reads"
            f" ({schema_version}); upgrade Stratagem to use it"
        )
    return f"a Stratagem store of schema version {version!r}; this Stratagem reads {schema_version!r}"


def check_store_file(path: Path | str, schema_version: str) -> None:
    """Refuse ``path`` unless it is a Stratagem store this version can read.

    Raises:
        StoreError: One line naming the file and saying what it is.
    """
    path = Path(path)
    what = describe_file(path, schema_version)
    if what is not None:
        raise StoreError(f"{path}: {what}" if path.exists() else f"{path}: no such store")


def store_is_writable(path: Path | str) -> bool:
    """Whether this process could write ``path``: the file, and its folder (for the journal files).

    ``os.access`` is used, so a read-only mount says no even to root. Code that writes a derived table
    (a cache) into a store it otherwise only reads checks this first and skips the write when false.
    """
    path = Path(path)
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
