"""What every store connection can read (writable or read-only): the mixin :class:`StoreReads`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from harness.store.errors import StoreError

#: Match ids per ``IN (…)`` list (well below SQLite's limit of bound parameters).
IN_CHUNK = 500


class StoreReads:
    """Read methods over ``self._conn`` (rows as dicts with docs/records.md column names)."""

    path: Path
    _conn: sqlite3.Connection

    def finished_ids(self) -> set[str]:
        """Ids of matches stored as finished (a resumed run skips them)."""
        return {r[0] for r in self._conn.execute("SELECT match_id FROM matches WHERE status='finished'")}

    def has_matches(self) -> bool:
        """Whether any match (finished or voided) is stored."""
        return self._conn.execute("SELECT 1 FROM matches LIMIT 1").fetchone() is not None

    def match_states(self, match_ids: Sequence[str]) -> dict[str, tuple[str, int]]:
        """``{match_id: (status, tries)}`` of those of ``match_ids`` that are stored (one query a chunk).

        A resumed run looks its planned jobs up with this, a chunk of ids at a time, instead of loading
        every stored id (or asking once per job).
        """
        out: dict[str, tuple[str, int]] = {}
        for i in range(0, len(match_ids), IN_CHUNK):
            chunk = list(match_ids[i : i + IN_CHUNK])
            marks = ", ".join("?" * len(chunk))
            for mid, status, tries in self._conn.execute(
                f"SELECT match_id, status, tries FROM matches WHERE match_id IN ({marks})", chunk
            ):
                out[str(mid)] = (str(status), int(tries))
        return out

    def fingerprints(self) -> set[str]:
        """Every fingerprint present in the store."""
        return {r[0] for r in self._conn.execute("SELECT DISTINCT fingerprint FROM matches")}

    def ids_by_identity(self) -> dict[tuple[str, str, str, str, int, int], set[str]]:
        """Stored match ids keyed by ``(game, model_a, model_b, first_reviser, seed, repetition)``."""
        out: dict[tuple[str, str, str, str, int, int], set[str]] = {}
        for r in self._conn.execute(
            "SELECT game, model_a, model_b, first_reviser, seed, repetition, match_id FROM matches"
        ):
            out.setdefault((r[0], r[1], r[2], r[3], int(r[4]), int(r[5])), set()).add(r[6])
        return out

    def iter_matches(self) -> Iterator[dict[str, Any]]:
        """Every matches row, ordered by match id."""
        for r in self._conn.execute("SELECT * FROM matches ORDER BY match_id"):
            yield dict(r)

    def match(self, match_id: str) -> dict[str, Any] | None:
        """The matches row of ``match_id`` (``None`` if absent)."""
        r = self._conn.execute("SELECT * FROM matches WHERE match_id=?", (match_id,)).fetchone()
        return dict(r) if r is not None else None

    def find_match(self, prefix: str) -> dict[str, Any] | None:
        """The match whose id starts with ``prefix`` (``None`` if none).

        Raises:
            StoreError: If the prefix is ambiguous.
        """
        rows = self._conn.execute(
            "SELECT * FROM matches WHERE match_id >= ? AND match_id < ? ORDER BY match_id LIMIT 2",
            (prefix, prefix + "\uffff"),
        ).fetchall()
        if len(rows) > 1 and rows[0]["match_id"] != prefix:
            raise StoreError(f"match id prefix {prefix!r} is ambiguous")
        return dict(rows[0]) if rows else None

    def rounds(self, match_id: str) -> list[dict[str, Any]]:
        """The round rows of a match, by round."""
        cur = self._conn.execute('SELECT * FROM rounds WHERE match_id=? ORDER BY "round"', (match_id,))
        return [dict(r) for r in cur]

    def decisions(self, match_id: str) -> list[dict[str, Any]]:
        """The decision rows of a match, by seq."""
        cur = self._conn.execute("SELECT * FROM decisions WHERE match_id=? ORDER BY seq", (match_id,))
        return [dict(r) for r in cur]

    def runs(self) -> list[dict[str, Any]]:
        """Every runs row, in the order they were started."""
        return [dict(r) for r in self._conn.execute("SELECT * FROM runs ORDER BY rowid")]

    def counts(self) -> dict[str, int]:
        """Number of finished and voided matches."""
        out = {"finished": 0, "voided": 0}
        for status, n in self._conn.execute("SELECT status, COUNT(*) FROM matches GROUP BY status"):
            out[str(status)] = int(n)
        return out

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read-only query (used by the exporter)."""
        return self._conn.execute(sql, params).fetchall()
