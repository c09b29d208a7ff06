"""The results store: one SQLite file (WAL) holding runs, matches, rounds and decisions.

Usage::

    with ResultStore("results/x.sqlite") as store:
        run_id = store.start_run("x", config_json)
        store.write_match(job, result, run_id=run_id, tries=1, started_at=t0, finished_at=t1)
        store.write_void(job, reason, decisions, run_id=run_id, tries=3, started_at=t0, finished_at=t1)
        store.finished_ids()            # ids to skip on resume
        store.iter_matches()            # one dict per matches row, by match id
        store.match(mid); store.rounds(mid); store.decisions(mid)

Guarantees:

* each finished (or finally voided) match is written in ONE transaction — matches row, its rounds and its
  decisions — so a process killed at any moment leaves either all of a match or none of it;
* a voided row is replaced when the match later finishes (its ``tries`` carry over);
* the schema version is checked on open; an unknown version is a user error, never silently upgraded;
* one writer at a time: ``run`` / ``play`` call :meth:`ResultStore.acquire_lease` (:mod:`harness.store.lease`)
  before they check or write anything, and every match write then checks the lease is still theirs;
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
from typing import Any, Protocol

from games.core.errors import EngineError
from harness.experiments.identity import stable_hash
from harness.experiments.jobs import MatchJob
from harness.store.errors import StoreError
from harness.store.lease import WriterLease
from harness.store.readonly import open_readonly, prepare_writer_path
from harness.store.reads import StoreReads
from harness.store.schema import SCHEMA_VERSION, column_names, create_statements
from metrics.store_file import foreign_tables

__all__ = ["ResultStore", "StoreError", "package_version", "utc_now"]


class _Row(Protocol):
    def to_row(self) -> dict[str, Any]: ...


class _Result(Protocol):
    """What :func:`harness.protocol.match.play_match` returns (read by attribute only)."""

    @property
    def rounds(self) -> Sequence[_Row]: ...
    @property
    def decisions(self) -> Sequence[_Row]: ...
    @property
    def winner(self) -> str | None: ...
    @property
    def n_rounds(self) -> int: ...
    @property
    def input_tokens(self) -> int: ...
    @property
    def output_tokens(self) -> int: ...
    @property
    def cost_usd(self) -> float | None: ...


def utc_now() -> str:
    """The current time as ISO-8601 UTC with seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def package_version() -> str:
    """The installed Stratagem version."""
    try:
        return metadata.version("stratagem")
    except metadata.PackageNotFoundError:
        return "0+unknown"


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

    def _match_row(
        self, job: MatchJob, *, run_id: str, tries: int, started_at: str, finished_at: str
    ) -> dict[str, Any]:
        return {
            "match_id": job.match_id,
            "run_id": run_id,
            "fingerprint": job.fingerprint,
            "game": job.game,
            "ruleset": job.ruleset,
            "params_json": job.params_json(),
            "model_a": job.model_a,
            "model_b": job.model_b,
            "rounds": job.settings["rounds"],
            "revision": job.settings["revision"],
            "first_reviser": job.first_reviser,
            "feedback": job.settings["feedback"],
            "settings_json": job.settings_json(),
            "seed": job.seed,
            "repetition": job.repetition,
            "status": "finished",
            "void_reason": None,
            "tries": tries,
            "winner": None,
            "n_rounds": 0,
            "input_tokens": 0,
            "output_tokens": 0,
            "cost_usd": None,
            "started_at": started_at,
            "finished_at": finished_at,
        }

    def previous_tries(self, match_id: str) -> int:
        """``tries`` of a voided row left by an earlier run (0 if none)."""
        row = self._conn.execute(
            "SELECT tries FROM matches WHERE match_id=? AND status='voided'", (match_id,)
        ).fetchone()
        return int(row[0]) if row else 0

    def _replace_voided(self, match_id: str) -> None:
        row = self._conn.execute("SELECT status FROM matches WHERE match_id=?", (match_id,)).fetchone()
        if row is None:
            return
        if row[0] != "voided":
            raise EngineError(f"match {match_id} is already stored as {row[0]}; refusing to write it twice")
        for table in ("decisions", "rounds", "matches"):
            self._conn.execute(f"DELETE FROM {table} WHERE match_id=?", (match_id,))

    def _insert(self, table: str, rows: Sequence[dict[str, Any]], match_id: str) -> None:
        cols = column_names(table)
        for row in rows:
            if set(row) != set(cols):
                missing, extra = sorted(set(cols) - set(row)), sorted(set(row) - set(cols))
                raise EngineError(
                    f"{table} row does not match docs/records.md: missing {missing}, extra {extra}"
                )
            if row["match_id"] != match_id:
                raise EngineError(f"{table} row of match {row['match_id']} written under {match_id}")
        placeholders = ", ".join("?" for _ in cols)
        self._conn.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders})",
            [tuple(row[c] for c in cols) for row in rows],
        )

    def write_match(
        self, job: MatchJob, result: _Result, *, run_id: str, tries: int, started_at: str, finished_at: str
    ) -> None:
        """Write a finished match (matches row, rounds, decisions) in one transaction."""
        row = self._match_row(job, run_id=run_id, tries=tries, started_at=started_at, finished_at=finished_at)
        row.update(
            winner=result.winner,
            n_rounds=result.n_rounds,
            input_tokens=result.input_tokens,
            output_tokens=result.output_tokens,
            cost_usd=result.cost_usd,
        )
        rounds = [r.to_row() for r in result.rounds]
        decisions = [d.to_row() for d in result.decisions]
        with self._write_transaction():
            self._replace_voided(job.match_id)
            self._insert("matches", [row], job.match_id)
            self._insert("rounds", rounds, job.match_id)
            self._insert("decisions", decisions, job.match_id)

    def write_void(
        self,
        job: MatchJob,
        reason: str,
        decisions: Sequence[_Row],
        *,
        run_id: str,
        tries: int,
        started_at: str,
        finished_at: str,
    ) -> None:
        """Record a match voided by infrastructure failures (after the bounded re-queues), in one transaction.

        The decisions of the last attempt are kept, so the failure can be inspected.
        """
        row = self._match_row(job, run_id=run_id, tries=tries, started_at=started_at, finished_at=finished_at)
        drows = [d.to_row() for d in decisions]
        costs = [d["cost_usd"] for d in drows if not d["reused"]]
        row.update(
            status="voided",
            void_reason=reason,
            input_tokens=sum(int(d["input_tokens"] or 0) for d in drows if not d["reused"]),
            output_tokens=sum(int(d["output_tokens"] or 0) for d in drows if not d["reused"]),
            cost_usd=None if any(c is None for c in costs) else float(sum(costs)),
        )
        with self._write_transaction():
            self._replace_voided(job.match_id)
            self._insert("matches", [row], job.match_id)
            self._insert("decisions", drows, job.match_id)


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
