"""Reading the results store (``docs/records.md``, schema version 1) into plain DataFrames.

:func:`load_store` returns the three tables the metrics use as a :class:`~metrics.frames.StoreFrames` (the
type lives in :mod:`metrics.frames` and is re-exported here). Everything after that is a pure function of
DataFrames, so tests and the CI gate can build frames directly (:meth:`StoreFrames.from_frames`) without a
SQLite file. Only ``status = 'finished'`` matches count for the metrics; voided matches stay in the frames
for the failure table.

The tables are read column by column straight into numpy and Arrow (:mod:`metrics.sqlite_columns`), in one
read transaction, and only the columns the metrics and the report read: every column of ``matches`` (one row
per match), and the :data:`~metrics.frames.REQUIRED_COLUMNS` of ``rounds`` and ``decisions``. The others
(plans, battle summaries, model replies: most of a store's bytes) are *deferred*: a caller that needs them
asks :meth:`StoreFrames.with_columns`, which reads them from the store then (the answer rate reads the
plans, the failure examples a few replies), or loads them at once with ``extra=`` or ``everything=True``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from metrics.errors import MixedFingerprintError, StoreError
from metrics.frames import REQUIRED_COLUMNS, SCHEMA_VERSION, StoreFrames, positions
from metrics.sqlite_columns import read_columns, table_columns
from metrics.store_file import check_store_file, connect_readonly
from metrics.turns import sides_of

TABLES: Final = ("matches", "rounds", "decisions")
#: The tables read in full; of the others only the required columns are read at first.
FULL_TABLES: Final = ("matches",)
#: Each table's key (its primary key in ``docs/records.md``).
KEYS: Final[dict[str, tuple[str, ...]]] = {
    "matches": ("match_id",),
    "rounds": ("match_id", "round"),
    "decisions": ("match_id", "seq"),
}
#: Up to this many rows, deferred columns are read row by row through the primary key.
_BY_KEY_MAX: Final = 2000

__all__ = [
    "FULL_TABLES",
    "REQUIRED_COLUMNS",
    "SCHEMA_VERSION",
    "StoreFrames",
    "check_fingerprints",
    "load_store",
    "own_turns",
    "positions",
]


def _connect(path: Path) -> sqlite3.Connection:
    return connect_readonly(path)  # creates nothing beside the store; reads read-only folders too


def load_store(
    path: Path | str, *, extra: Mapping[str, Sequence[str]] | None = None, everything: bool = False
) -> StoreFrames:
    """Read a results store (SQLite, schema version 1) into DataFrames.

    Args:
        path: The store file.
        extra: Deferred columns to read now as well, by table (e.g. ``{"rounds": ["summary"]}``).
        everything: Read every column of the three tables.

    Returns:
        All matches (finished and voided) with their rounds and decisions; the deferred columns are read
        on demand by :meth:`StoreFrames.with_columns`.

    Raises:
        StoreError: The file does not exist, is not a store, has another schema version, or lacks a column.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"no results store at {path}")
    check_store_file(path, SCHEMA_VERSION)  # says what the file is when it is not a store
    con = _connect(path)
    frames: dict[str, pd.DataFrame] = {}
    try:
        con.execute("BEGIN")  # one snapshot of the three tables, even while a writer is at work
        for table in TABLES:
            wanted = set((extra or {}).get(table, ()))
            cols = [
                c
                for c in table_columns(con, table)
                if everything or table in FULL_TABLES or c in REQUIRED_COLUMNS[table] or c in wanted
            ]
            frames[table] = read_columns(con, table, cols)
        con.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    finally:
        con.close()
    out = StoreFrames(frames["matches"], frames["rounds"], frames["decisions"], source=str(path))
    out.derived["deferred"] = lambda table, columns, frame: read_deferred(path, table, columns, frame)
    return out


def _key_codes(keys: pd.DataFrame, ids: pd.Index) -> NDArray[np.int64]:
    """One int64 per row of ``keys`` (match id position in ``ids``, then the second key column)."""
    first = positions(ids, keys.iloc[:, 0]).astype(np.int64)
    second = pd.to_numeric(keys.iloc[:, 1], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
    return np.where(first >= 0, first * (1 << 32) + second, -1)


def read_deferred(path: Path, table: str, columns: Sequence[str], frame: pd.DataFrame) -> pd.DataFrame:
    """``columns`` of ``table`` for the rows of ``frame`` (matched by the table's key), index as ``frame``'s.

    A row the store no longer holds gets NaN.
    """
    key = list(KEYS[table])
    cols = [c for c in columns if c not in key]
    con = _connect(path)
    try:
        con.execute("BEGIN")
        if len(frame) <= _BY_KEY_MAX:
            where = " AND ".join(f"{k} = ?" for k in key)
            sql = f"SELECT {', '.join([*key, *cols])} FROM {table} WHERE {where}"
            rows = [r for k in frame[key].itertuples(index=False) for r in con.execute(sql, tuple(k))]
            found = pd.DataFrame.from_records(rows, columns=[*key, *cols])
        else:
            found = read_columns(con, table, [*key, *cols])
        con.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    finally:
        con.close()
    ids = pd.Index(pd.unique(found[key[0]].astype(object)))
    at = pd.Index(_key_codes(found[key], ids)).get_indexer(pd.Index(_key_codes(frame[key], ids)))
    out = found[cols].iloc[np.maximum(at, 0)].reset_index(drop=True)
    if (at < 0).any():
        out = out.astype(object).where(pd.Series(at >= 0), None)
    out.index = frame.index
    return out


def check_fingerprints(frames: StoreFrames, allow_mixed: bool = False) -> dict[tuple[str, str], list[str]]:
    """Refuse to pool finished matches with different fingerprints within one (model, game) cell.

    Args:
        frames: The store frames.
        allow_mixed: Pool anyway (``--allow-mixed-fingerprints``).

    Returns:
        The mixed cells found, ``{(model, game): [fingerprints…]}`` (empty when none).

    Raises:
        MixedFingerprintError: A cell is mixed and ``allow_mixed`` is false; names the cell and fingerprints.
    """
    m = frames.matches.loc[frames.matches["status"] == "finished"]
    long = pd.concat(
        [
            pd.DataFrame({"model": m["model_a"], "game": m["game"], "fp": m["fingerprint"]}),
            pd.DataFrame({"model": m["model_b"], "game": m["game"], "fp": m["fingerprint"]}),
        ],
        ignore_index=True,
    ).drop_duplicates()
    mixed: dict[tuple[str, str], list[str]] = {}
    for (model, game), fps in long.groupby(["model", "game"], sort=True)["fp"]:
        if fps.nunique() > 1:
            mixed[(str(model), str(game))] = sorted(str(f) for f in fps.unique())
    if mixed and not allow_mixed:
        (bad_model, bad_game), bad_fps = next(iter(mixed.items()))
        more = f" (and {len(mixed) - 1} more cell(s))" if len(mixed) > 1 else ""
        cell_rulesets = m.loc[m["fingerprint"].isin(bad_fps)].get("ruleset", pd.Series(dtype=object))
        rulesets = sorted(set(cell_rulesets.dropna().astype(str)))
        which = f" of rulesets {', '.join(rulesets)}" if len(rulesets) > 1 else ""
        raise MixedFingerprintError(
            f"cell (model={bad_model}, game={bad_game}) mixes matches{which} with fingerprints "
            f"{', '.join(bad_fps)}{more}; "
            "these measure different things. Report them separately, or pass --allow-mixed-fingerprints "
            "(allow_mixed=True) to pool them anyway."
        )
    return mixed


def own_turns(frames: StoreFrames) -> pd.DataFrame:
    """Tidy table of own turns (finished matches), one row per (match, side, round k ≥ 2 revised by side).

    Columns: ``match_id, game, model, opponent, side, round, label, t`` (0-based own-turn index within the
    match and side), ``win, win_prev, viol, viol_prev, over_budget, revised`` (0/1).
    """
    sr = sides_of(frames)
    own = sr.own
    return pd.DataFrame(
        {
            "match_id": sr.match_ids[sr.match[own]],
            "game": sr.games[sr.game[own]],
            "model": sr.models[sr.model[own]],
            "opponent": sr.models[sr.opp[own]],
            "side": pd.Series(sr.side[own]).map({0: "A", 1: "B"}).to_numpy(),
            "round": sr.round[own],
            "label": sr.label[own],
            "t": sr.own_t[own],
            "win": sr.win[own].astype(int),
            "win_prev": sr.win_prev[own].astype(int),
            "viol": sr.viol[own].astype(int),
            "viol_prev": sr.viol_prev[own].astype(int),
            "over_budget": sr.over[own].astype(int),
            "revised": sr.changed[own].astype(int),
        }
    )
