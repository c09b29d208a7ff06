"""The results store: one SQLite file (WAL) holding runs, matches, rounds and decisions.

Usage::

    with ResultStore("results/x.sqlite") as store:
        run_id = store.start_run("x", config_json)
        store.write_match(job, result, run_id=run_id, tries=1, started_at=t0, finished_at=t1)
        store.write_void(job, reason, decisions, run_id=run_id, tries=3, started_at=t0, finished_at=t1)
        store.write_rows([finished_rows(job, result, ...), ...])   # several matches, one transaction
        store.finished_ids()            # ids to skip on resume
        store.iter_matches()            # one dict per matches row, by match id
        store.match(mid); store.rounds(mid); store.decisions(mid)

Guarantees:

* each finished (or finally voided) match is written in ONE transaction — matches row, its rounds and its
  decisions — so a process killed at any moment leaves either all of a match or none of it; a transaction
  may hold a small group of matches (:meth:`ResultStore.write_rows`, used by the runner), all or none;
* a voided row is replaced when the match later finishes (its ``tries`` carry over);
* the schema version is checked on open; an unknown version is a user error, never silently upgraded;
* one writer at a time: ``run`` / ``play`` call :meth:`ResultStore.acquire_lease` (:mod:`harness.store.lease`)
  before they check or write anything, and every write transaction then checks the lease is still theirs;
* ``ResultStore(path, readonly=True)`` reads without the lease and without creating any file
  (:mod:`harness.store.readonly`); a writable store is in WAL mode while open and is switched back to
  rollback-journal mode when it closes, so a store at rest has no ``-wal`` / ``-shm`` files and readers
  never need to create them.

Row dicts use exactly the column names of docs/records.md (see :mod:`harness.store.schema`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import TracebackType

from games.core.errors import EngineError
from harness.experiments.identity import stable_hash
from harness.experiments.jobs import MatchJob
from harness.store.errors import StoreError
from harness.store.lease import WriterLease
from harness.store.readonly import open_readonly, prepare_writer_path
from harness.store.reads import IN_CHUNK, StoreReads
from harness.store.rows import MatchRows, Result, Row, finished_rows, voided_rows
from harness.store.schema import SCHEMA_VERSION, column_names, create_statements
from metrics.store_file import foreign_tables

__all__ = ["ResultStore", "StoreError", "package_version", "utc_now"]


def utc_now() -> str:
    """The current time as ISO-8601 UTC with seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def package_version() -> str:
    """The installed Stratagem version."""
    try:
        return metadata.version("stratagem")
    except metadata.PackageNotFoundError:
        return "0+unknown"


_INSERT = {
    table: f"INSERT INTO {table} ({', '.join(column_names(table))})"
    f" VALUES ({', '.join('?' for _ in column_names(table))})"
    for table in ("matches", "rounds", "decisions")
}

#: Seconds to keep asking for WAL mode while another connection holds the store's write lock.
WAL_SWITCH_TIMEOUT_S = 30.0


def _retry_pause() -> None:
    """The pause between two requests for WAL mode (tests replace it)."""
    time.sleep(0.01)


def _enter_wal(conn: sqlite3.Connection) -> None:
    """``PRAGMA journal_mode=WAL``, asked again while another connection holds the write lock.

    A store in rollback-journal mode (a new store, or one at rest) that another connection is writing (a
    second writer switching it to WAL at the same moment) makes SQLite refuse the switch at once with
    "database is locked": it skips the busy timeout there to avoid a deadlock. Asking again once the other
    connection is done gives the same result in every order (the switch is then a no-op).

    Raises:
        sqlite3.OperationalError: Another error, or still locked after :data:`WAL_SWITCH_TIMEOUT_S`.
    """
    deadline = time.monotonic() + WAL_SWITCH_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        _retry_pause()


class ResultStore(StoreReads):
    """A results store file; created (with its parent folder) on first open unless ``create`` is false.

    Args:
        path: The SQLite file.
        create: If false, a missing file is a :class:`StoreError` instead of being created.
        readonly: Open for reading only (implies ``create=False``): no lease, no file created beside
            the store, and read-only folders and files can be read.

    Raises:
        StoreError: The path cannot hold a store (a parent is a file, an unwritable folder, a read-only
            store opened for writing), or the file is not a Stratagem store of this schema version.
    """

    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._lease: WriterLease | None = None
        if (readonly or not create) and not self.path.exists():
            raise StoreError(f"{self.path}: no such store")
        if readonly:
            self._conn = open_readonly(self.path)
            self._conn.row_factory = sqlite3.Row
            return
        prepare_writer_path(self.path)
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            self._conn.row_factory = sqlite3.Row
            _enter_wal(self._conn)
            # NORMAL in WAL mode is durable against a killed process (only an OS crash can lose the tail).
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable SQLite store ({exc})") from None

    # ------------------------------------------------------------------ lifecycle
    def _init_schema(self) -> None:
        """Check the schema version, or create the schema.

        Both happen inside one transaction, so two processes creating one new store cannot both insert it,
        and a writer that found the file blank (another writer was creating it) waits here for that
        writer's schema transaction and then sees the finished schema.
        """
        with self._transaction():
            tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "meta" in tables:
                row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                version = row[0] if row else None
                if version != SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.path}: store schema version {version!r}, this Stratagem reads"
                        f" {SCHEMA_VERSION!r}"
                    )
                return
            if tables:  # decided inside the transaction: the file may have changed since it was looked at
                raise StoreError(f"{self.path}: {foreign_tables(sorted(tables))}")
            for stmt in create_statements():
                self._conn.execute(stmt)
            self._conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("schema_version", SCHEMA_VERSION), ("created_by", f"stratagem {package_version()}")],
            )

    def acquire_lease(
        self,
        command: str,
        *,
        wait: bool = False,
        on_wait: Callable[[str], None] | None = None,
        lease: WriterLease | None = None,
    ) -> WriterLease:
        """Become the store's single writer (see :mod:`harness.store.lease`); released by :meth:`close`.

        Args:
            command: What is writing, named in a second writer's refusal (``stratagem run smoke``).
            wait: Poll the store until the lease is free instead of refusing.
            on_wait: Receives one line when ``wait`` starts waiting.
            lease: A prepared lease (tests inject clocks); default: a new one for this process.

        Raises:
            StoreBusy: Another live process holds the lease and ``wait`` is false.
        """
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only; it cannot take the writer lease")
        lease = lease or WriterLease(self.path, command)
        lease.acquire(self._conn, wait=wait, on_wait=on_wait)
        self._lease = lease
        return lease

    def close(self) -> None:
        """Give back the lease, switch a writable store back to rollback-journal mode, close (idempotent).

        The journal-mode switch is best effort: it needs the store to itself, so while a reader or another
        writer has it open the store stays in WAL mode (its ``-wal`` / ``-shm`` files then belong to them).
        """
        try:
            if self._lease is not None:
                self._lease.release(self._conn)
                self._lease = None
            if not self.readonly:
                self._conn.execute("PRAGMA busy_timeout=0")
                self._conn.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error:
            pass
        finally:
            self._conn.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _transaction(self) -> _Tx:
        return _Tx(self._conn)

    def _write_transaction(self) -> _Tx:
        """A transaction that first checks this writer still holds its lease (if it took one)."""
        return _Tx(self._conn, self._lease)

    # ------------------------------------------------------------------ writing
    def start_run(self, experiment: str, config_json: str) -> str:
        """Record one ``stratagem run`` invocation; returns its id (hash of experiment + start order)."""
        with self._write_transaction():
            order = self._conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
            run_id = stable_hash({"experiment": experiment, "config": config_json, "order": order})
            self._conn.execute(
                "INSERT INTO runs (run_id, experiment, config_json, stratagem_version, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (run_id, experiment, config_json, package_version(), utc_now()),
            )
        return run_id

    def previous_tries(self, match_id: str) -> int:
        """``tries`` of a voided row left by an earlier run (0 if none)."""
        row = self._conn.execute(
            "SELECT tries FROM matches WHERE match_id=? AND status='voided'", (match_id,)
        ).fetchone()
        return int(row[0]) if row else 0

    def _replace_voided(self, match_ids: Sequence[str]) -> None:
        """Delete the voided rows of ``match_ids`` (they are replaced); refuse to write a match twice."""
        voided: list[str] = []
        for i in range(0, len(match_ids), IN_CHUNK):
            chunk = match_ids[i : i + IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            for mid, status in self._conn.execute(
                f"SELECT match_id, status FROM matches WHERE match_id IN ({marks})", chunk
            ):
                if status != "voided":
                    raise EngineError(
                        f"match {mid} is already stored as {status}; refusing to write it twice"
                    )
                voided.append(mid)
        for mid in voided:
            for table in ("decisions", "rounds", "matches"):
                self._conn.execute(f"DELETE FROM {table} WHERE match_id=?", (mid,))

    def write_match(
        self, job: MatchJob, result: Result, *, run_id: str, tries: int, started_at: str, finished_at: str
    ) -> None:
        """Write a finished match (matches row, rounds, decisions) in one transaction."""
        rows = finished_rows(
            job, result, run_id=run_id, tries=tries, started_at=started_at, finished_at=finished_at
        )
        self.write_rows([rows])

    def write_void(
        self,
        job: MatchJob,
        reason: str,
        decisions: Sequence[Row],
        *,
        run_id: str,
        tries: int,
        started_at: str,
        finished_at: str,
    ) -> None:
        """Record a match voided by infrastructure failures (after the bounded re-queues), in one transaction.

        The decisions of the last attempt are kept, so the failure can be inspected.
        """
        rows = voided_rows(
            job, reason, decisions, run_id=run_id, tries=tries, started_at=started_at, finished_at=finished_at
        )
        self.write_rows([rows])

    def write_rows(self, matches: Sequence[MatchRows]) -> None:
        """Write the rows of several matches (:mod:`harness.store.rows`) in ONE transaction.

        The transaction first checks the writer lease (when this store took one), so a writer that lost
        it writes none of them. All the matches are stored, or none (a killed process, an error).

        Raises:
            LeaseLost: This writer lost its lease.
            EngineError: A match is already stored (other than as voided, which is replaced).
            sqlite3.IntegrityError: The same match twice among ``matches``.
        """
        if not matches:
            return
        with self._write_transaction():
            self._replace_voided([m.match_id for m in matches])
            self._conn.executemany(_INSERT["matches"], [m.match for m in matches])
            self._conn.executemany(_INSERT["rounds"], [r for m in matches for r in m.rounds])
            self._conn.executemany(_INSERT["decisions"], [d for m in matches for d in m.decisions])


class _Tx:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any exception); checks ``lease`` first if given."""

    def __init__(self, conn: sqlite3.Connection, lease: WriterLease | None = None) -> None:
        self._conn = conn
        self._lease = lease

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        if self._lease is not None:
            try:
                self._lease.verify(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
