"""The answer rate's derived table in the results store: ``derived_answer_rate`` (docs/records.md).

It caches one row per evaluated decision, keyed by ``(match_id, round, side, sims, ruleset, version)``, so a
second report of the same store runs no simulation. The table is optional and not part of the store's
versioned schema: a store without it is complete (every old store is), the store's ``schema_version`` and
its check are unchanged, and dropping the table loses only time. Each row also holds a hash of its inputs
(the two plans, the flags, the game and its parameters); a row whose hash differs is recomputed, never
trusted.

Reading goes through :func:`metrics.store_file.connect_readonly`, which creates nothing beside the store.
Writing opens the file read-write only to create the table and insert the new rows, in one
``BEGIN IMMEDIATE`` transaction. Inside it the transaction first reads the store's writer lease (the
``lease`` table of :mod:`harness.store.lease`). While a live writer holds the lease (a heartbeat younger
than :data:`LEASE_STALE_S`; ``stratagem run`` is playing into the store), nothing is written: the store has
one writer at a time. A store that cannot be written (a read-only file or folder, a locked database, a
live writer) is still reportable: the values are computed and not cached, and the reason is reported.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Final

from metrics.answer_search import Outcome, Task
from metrics.errors import StoreError
from metrics.store_file import connect_readonly

TABLE: Final = "derived_answer_rate"

COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("match_id", "TEXT"),
    ("round", "INTEGER"),
    ("side", "TEXT"),
    ("sims", "INTEGER"),
    ("ruleset", "TEXT"),
    ("version", "TEXT"),
    ("inputs", "TEXT"),
    ("status", "TEXT"),
    ("beatable", "INTEGER"),
    ("answered", "INTEGER"),
    ("best_margin", "REAL"),
    ("answer_margin", "REAL"),
    ("search_sims", "INTEGER"),
    ("best_plan", "TEXT"),
)
PRIMARY_KEY: Final = ("match_id", "round", "side", "sims", "ruleset", "version")

#: A lease whose heartbeat is older than this belongs to a gone writer (harness.store.lease.STALE_AFTER_S).
LEASE_STALE_S: Final = 60.0

CacheKey = tuple[str, int, str, str]  # match_id, round, side, ruleset


def create_statement() -> str:
    """The ``CREATE TABLE IF NOT EXISTS`` statement of the derived table."""
    body = ", ".join(f'"{name}" {sqltype}' for name, sqltype in COLUMNS)
    return f"CREATE TABLE IF NOT EXISTS {TABLE} ({body}, PRIMARY KEY ({', '.join(PRIMARY_KEY)}))"


def input_hash(task: Task) -> str:
    """A short hash of everything a task's outcome depends on besides its key, the budget and the version."""
    parts = (
        task.game,
        task.params_json,
        task.opponent_plan,
        task.own_plan,
        str(int(task.own_ok)),
        str(int(task.opponent_over)),
    )
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=12).hexdigest()


def task_key(task: Task) -> CacheKey:
    """The cache key of a task (besides the budget and the version, which select the rows read)."""
    return (task.match_id, task.round, task.side, task.ruleset)


def read_cached(path: Path, sims: int, version: str) -> dict[CacheKey, tuple[str, Outcome]]:
    """Cached rows of one search budget and version: ``{key: (input hash, outcome)}``.

    A store without the table (or one that cannot be read) gives an empty mapping.
    """
    try:
        con = connect_readonly(path)
    except StoreError:
        return {}
    try:
        found = con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (TABLE,)).fetchone()
        if found is None:
            return {}
        rows = con.execute(
            f"SELECT match_id, round, side, ruleset, inputs, status, beatable, answered, best_margin, "
            f"answer_margin, search_sims, best_plan FROM {TABLE} WHERE sims=? AND version=?",
            (sims, version),
        ).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        con.close()
    out: dict[CacheKey, tuple[str, Outcome]] = {}
    for mid, rnd, side, ruleset, inputs, status, beat, ans, bm, am, used, plan in rows:
        outcome = Outcome(
            str(status),
            bool(beat),
            bool(ans),
            None if bm is None else float(bm),
            None if am is None else float(am),
            int(used or 0),
            None if plan is None else str(plan),
        )
        out[(str(mid), int(rnd), str(side), str(ruleset))] = (str(inputs), outcome)
    return out


def write_cached(path: Path, sims: int, version: str, rows: Sequence[tuple[Task, Outcome]]) -> str | None:
    """Insert (or replace) evaluated decisions in one transaction.

    Returns:
        None when written (or nothing to write), else why the store was not written (it stays untouched).
    """
    if not rows:
        return None
    if not os.access(path, os.W_OK):
        return "the store is read-only"
    values = [
        (
            t.match_id,
            t.round,
            t.side,
            sims,
            t.ruleset,
            version,
            input_hash(t),
            o.status,
            int(o.beatable),
            int(o.answered),
            o.best_margin,
            o.answer_margin,
            o.search_sims,
            o.best_plan,
        )
        for t, o in rows
    ]
    names = ", ".join(f'"{name}"' for name, _ in COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    try:
        con = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=30.0, isolation_level=None)
    except sqlite3.Error as exc:
        return f"cannot open the store for writing ({exc})"
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            writer = live_writer(con, time.time())
            if writer is not None:
                con.execute("ROLLBACK")
                return f"the store is being written by {writer}"
            con.execute(create_statement())
            con.executemany(f"INSERT OR REPLACE INTO {TABLE} ({names}) VALUES ({marks})", values)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    except sqlite3.Error as exc:
        return f"cannot write the store ({exc})"
    finally:
        con.close()
    return None


def live_writer(con: sqlite3.Connection, now: float) -> str | None:
    """Who holds the store's writer lease (``pid 42 on host h (stratagem run x)``), or None.

    A lease row whose heartbeat is older than :data:`LEASE_STALE_S` (or unreadable) is a gone writer's.
    """
    try:
        row = con.execute("SELECT pid, host, command, heartbeat_at FROM lease WHERE slot = 1").fetchone()
    except sqlite3.OperationalError:  # no lease table: no writer ever took one
        return None
    if row is None:
        return None
    try:
        beat = datetime.fromisoformat(str(row[3])).timestamp()
    except ValueError:
        return None
    if now - beat > LEASE_STALE_S:
        return None
    return f"pid {row[0]} on host {row[1]} ({row[2]})"
