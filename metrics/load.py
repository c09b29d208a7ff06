"""Reading the results store (``docs/records.md``, schema version 1) into plain DataFrames.

:func:`load_store` returns the three tables the metrics use as a :class:`~metrics.frames.StoreFrames` (the
type lives in :mod:`metrics.frames` and is re-exported here). Everything after that is a pure function of
DataFrames, so tests and the CI gate can build frames directly (:meth:`StoreFrames.from_frames`) without a
SQLite file. Only ``status = 'finished'`` matches count for the metrics; voided matches stay in the frames
for the failure table.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from metrics.errors import MixedFingerprintError, StoreError
from metrics.frames import REQUIRED_COLUMNS, SCHEMA_VERSION, StoreFrames, positions
from metrics.store_file import check_store_file, connect_readonly
from metrics.turns import sides_of

__all__ = [
    "REQUIRED_COLUMNS",
    "SCHEMA_VERSION",
    "StoreFrames",
    "check_fingerprints",
    "load_store",
    "own_turns",
    "positions",
]


def load_store(path: Path | str) -> StoreFrames:
    """Read a results store (SQLite, schema version 1) into DataFrames.

    Args:
        path: The store file.

    Returns:
        All matches (finished and voided) with their rounds and decisions.

    Raises:
        StoreError: The file does not exist, is not a store, has another schema version, or lacks a column.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"no results store at {path}")
    check_store_file(path, SCHEMA_VERSION)  # says what the file is when it is not a store
    con = connect_readonly(path)  # creates nothing beside the store; reads read-only folders too
    try:
        frames = {t: pd.read_sql_query(f"SELECT * FROM {t}", con) for t in ("matches", "rounds", "decisions")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    finally:
        con.close()
    return StoreFrames(frames["matches"], frames["rounds"], frames["decisions"], source=str(path))


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
