"""The allocation log of ``stratagem run --adaptive``: which pairs each batch played, and why.

An operational table, like ``lease`` (docs/records.md, "``allocation_log``"): it is created by the first
adaptive run that writes a store (``CREATE TABLE IF NOT EXISTS``), is not part of ``schema_version``, is
never exported, and a store without it is complete. Its rows are written by the lease holder, in a
transaction that checks the lease, *before* the batch they describe is played; so after a kill the rerun
finds every batch that was decided and replays it as logged.

Rows are keyed by ``(plan, batch, seq)``: ``plan`` is the hash of what defines the schedule
(:func:`harness.runner.adaptive.plan_key`), so adaptive runs of different experiments can share a store.
A row of kind ``pair`` is one side-swapped pair of matches the batch schedules (``match_ids`` = the match
with ``model_1`` on side A, then its swap); a row of kind ``stop`` says the leaderboard was settled after
the batches before it (informational: it is recomputed, and replaced, by a later run).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from games.core.types import canonical_json
from harness.store.store import ResultStore, utc_now

ALLOCATION_DDL = (
    "CREATE TABLE IF NOT EXISTS allocation_log (plan TEXT NOT NULL, batch INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, kind TEXT NOT NULL, game TEXT, model_1 TEXT, model_2 TEXT, unit INTEGER,"
    " match_ids TEXT, reason_json TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (plan, batch, seq))"
)

#: The columns compared between two logs (``created_at`` is volatile).
LOG_COLUMNS = ("batch", "seq", "kind", "game", "model_1", "model_2", "unit", "match_ids", "reason_json")


@dataclass(frozen=True)
class LogEntry:
    """One row of the allocation log.

    Attributes:
        batch: The batch (0-based; batch 0 is the round robin).
        seq: Order within the batch (0-based).
        kind: ``pair`` (a side-swapped pair of matches) or ``stop`` (the leaderboard was settled).
        game: The game of the pair (``None`` for ``stop``).
        model_1: The pair's first model (the experiment's pair order; side A in the first match).
        model_2: The pair's second model.
        unit: n: this is the pair's n-th side-swapped pair in this game (0-based).
        match_ids: The two match ids (``model_1`` on A, then ``model_2`` on A).
        reason: Why: the rule and the figures it read (canonical JSON in the table).
    """

    batch: int
    seq: int
    kind: str
    game: str | None
    model_1: str | None
    model_2: str | None
    unit: int | None
    match_ids: tuple[str, ...]
    reason: dict[str, Any]


def _ensure(store: ResultStore) -> None:
    store._conn.execute(ALLOCATION_DDL)


def read_log(store: ResultStore, plan: str) -> list[LogEntry]:
    """The log rows of ``plan``, by batch and seq (none when the table does not exist)."""
    exists = store.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name='allocation_log'")
    if not exists:
        return []
    rows = store.query(
        "SELECT batch, seq, kind, game, model_1, model_2, unit, match_ids, reason_json FROM allocation_log"
        " WHERE plan=? ORDER BY batch, seq",
        (plan,),
    )
    return [
        LogEntry(
            batch=int(r[0]),
            seq=int(r[1]),
            kind=str(r[2]),
            game=r[3],
            model_1=r[4],
            model_2=r[5],
            unit=None if r[6] is None else int(r[6]),
            match_ids=tuple(json.loads(r[7])) if r[7] else (),
            reason=json.loads(r[8]),
        )
        for r in rows
    ]


def write_batch(store: ResultStore, plan: str, entries: Sequence[LogEntry]) -> None:
    """Write one batch's rows in one transaction that checks the writer lease.

    A ``stop`` row left at the same batch by an earlier run (which a later run overrides) is replaced.
    """
    if not entries:
        return
    batch = entries[0].batch
    now = utc_now()
    with store._write_transaction():
        _ensure(store)
        store._conn.execute(
            "DELETE FROM allocation_log WHERE plan=? AND batch=? AND kind='stop'", (plan, batch)
        )
        store._conn.executemany(
            "INSERT INTO allocation_log (plan, batch, seq, kind, game, model_1, model_2, unit, match_ids,"
            " reason_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    plan,
                    e.batch,
                    e.seq,
                    e.kind,
                    e.game,
                    e.model_1,
                    e.model_2,
                    e.unit,
                    canonical_json(list(e.match_ids)) if e.match_ids else None,
                    canonical_json(e.reason),
                    now,
                )
                for e in entries
            ],
        )


def log_rows(store: ResultStore) -> list[tuple[Any, ...]]:
    """Every row of the log without ``created_at``, ordered (for comparing two stores)."""
    exists = store.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name='allocation_log'")
    if not exists:
        return []
    cols = ", ".join(("plan", *LOG_COLUMNS))
    return [tuple(r) for r in store.query(f"SELECT {cols} FROM allocation_log ORDER BY plan, batch, seq")]
