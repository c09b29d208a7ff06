"""Reading matches for the match viewer: one match at a time, and the sorted list of all of them.

Everything here is plain SQL on the tables of ``docs/records.md``, read through
:func:`metrics.store_file.connect_readonly` (the metrics package never imports ``harness``). A store may
hold 100 k matches, so nothing here loads the rounds or decisions of more than one match at once: the list
of matches is a cursor (:func:`iter_list_rows`) and a match's records are read by :func:`read_match`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metrics.errors import StoreError
from metrics.store_file import check_store_file, connect_readonly

Row = dict[str, Any]
SIDES = ("A", "B")

#: The order of the match list (and of the pages): deterministic, whatever order the matches were stored in.
LIST_ORDER = "game, model_a, model_b, first_reviser, seed, repetition, match_id"


@dataclass
class MatchRecord:
    """One match as stored: its ``matches`` row, its rounds (by round) and decisions (by seq)."""

    match: Row
    rounds: list[Row]
    decisions: list[Row]

    @property
    def match_id(self) -> str:
        """The match id."""
        return str(self.match["match_id"])

    def model(self, side: str) -> str:
        """The full model name of ``side`` (``"A"`` / ``"B"``)."""
        return str(self.match.get(f"model_{side.lower()}") or "?")

    @property
    def failures(self) -> int:
        """Decisions whose failure class is not ``ok``."""
        return sum(1 for d in self.decisions if (d.get("failure_class") or "ok") != "ok")


def _schema_version() -> str:
    # Imported here: metrics.frames pulls in pandas, which the CLI's `show --html` pays only when it runs.
    from metrics.frames import SCHEMA_VERSION

    return SCHEMA_VERSION


@contextmanager
def open_store(conn_or_path: sqlite3.Connection | Path | str) -> Iterator[sqlite3.Connection]:
    """A read-only connection with dict-like rows; a given connection is used as it is (and left open).

    Raises:
        StoreError: The path is not a store this version reads (the message says what it is).
    """
    if isinstance(conn_or_path, sqlite3.Connection):
        yield conn_or_path
        return
    check_store_file(conn_or_path, _schema_version())
    con = connect_readonly(conn_or_path)
    try:
        yield con
    finally:
        con.close()


def _rows(con: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> Iterator[Row]:
    cur = con.execute(sql, args)
    names = [c[0] for c in cur.description]
    for values in cur:
        yield dict(zip(names, values, strict=True))


def read_match(con: sqlite3.Connection, match_id: str) -> MatchRecord:
    """The records of the match ``match_id`` (its exact id).

    Raises:
        StoreError: No such match.
    """
    found = list(_rows(con, "SELECT * FROM matches WHERE match_id = ?", (match_id,)))
    if not found:
        raise StoreError(f"no match {match_id!r} in the store")
    rounds = list(_rows(con, 'SELECT * FROM rounds WHERE match_id = ? ORDER BY "round"', (match_id,)))
    decisions = list(_rows(con, "SELECT * FROM decisions WHERE match_id = ? ORDER BY seq", (match_id,)))
    return MatchRecord(found[0], rounds, decisions)


def count_matches(con: sqlite3.Connection) -> int:
    """The number of matches in the store."""
    return int(con.execute("SELECT COUNT(*) FROM matches").fetchone()[0])


def iter_list_rows(con: sqlite3.Connection) -> Iterator[Row]:
    """Every ``matches`` row in :data:`LIST_ORDER`, with ``failures`` (its non-``ok`` decisions) added.

    The failures are counted per row through the decisions' primary key, so the cursor streams.
    """
    sql = (
        "SELECT m.*, (SELECT COUNT(*) FROM decisions d WHERE d.match_id = m.match_id"
        " AND COALESCE(d.failure_class, 'ok') != 'ok') AS failures"
        f" FROM matches m ORDER BY {LIST_ORDER}"
    )
    yield from _rows(con, sql)


# ---------------------------------------------------------------------------------------------- games
@dataclass(frozen=True)
class GameView:
    """What the viewer needs of a match's game: side labels and the picture function (``None``: none)."""

    labels: Mapping[str, str]
    render_svg: Any = None
    note: str = ""
    #: The parameters that differ from the ruleset's defaults (``None``: unknown, show them all).
    overrides: Mapping[str, Any] | None = None


def load_game(
    match: Mapping[str, Any], cache: dict[tuple[str, str, str], GameView] | None = None
) -> GameView:
    """The :class:`GameView` of ``match``'s game, ruleset and parameters; never raises.

    A game that cannot be built (an unknown game or ruleset, stale parameters) still gets a page: sides
    are then called ``A`` and ``B`` and there are no pictures, with a note saying why.
    """
    key = (str(match.get("game")), str(match.get("ruleset") or ""), str(match.get("params_json") or "{}"))
    if cache is not None and key in cache:
        return cache[key]
    from games.registry import get_game

    try:
        params = json.loads(key[2]) if key[2] else {}
        game = get_game(key[0], params if isinstance(params, dict) else {}, key[1] or None)
        labels = {s: game.side(s).label for s in SIDES}  # type: ignore[arg-type]
        draw = getattr(game, "render_svg", None)
        defaults = get_game(key[0], None, key[1] or None).params_dict()
        overrides = {k: v for k, v in game.params_dict().items() if defaults.get(k) != v}
        view = GameView(labels, draw, "" if draw else "this game draws no pictures", overrides)
    except Exception as exc:  # any failure to build the game only costs the pictures and labels
        view = GameView({}, None, f"no pictures: the game could not be loaded ({type(exc).__name__})")
    if cache is not None:
        cache[key] = view
    return view


def side_name(side: str | None, labels: Mapping[str, str]) -> str:
    """``A (Human)``, ``A`` when the label is unknown, ``no winner`` for ``None``."""
    if side is None:
        return "no winner"
    return f"{side} ({labels[side]})" if side in labels else str(side)


def winner_text(match: Mapping[str, Any]) -> str:
    """The final winner for the match list: ``A: model``, ``draw``, or ``—`` for a voided match."""
    if match.get("status") == "voided":
        return "—"
    winner = match.get("winner")
    if winner not in SIDES:
        return "draw"
    return f"{winner}: {match.get(f'model_{str(winner).lower()}')}"


def is_llm(model: str) -> bool:
    """Whether ``model`` writes replies worth reading (every model that is not a built-in bot)."""
    return not model.startswith("bot/")
