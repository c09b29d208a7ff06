"""Side-rounds: every round record seen from each side, as flat numpy arrays.

They are the shared input of both definition sets and of the ratings.

Row layout: one row per (finished match m, side s, round), grouped in **units** ``u = 2m + s`` (side A then
side B of each match) and ordered by round inside a unit. Everything is computed with whole-array numpy
operations (no Python loop over rows), because the benchmark feeds a million round records through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from metrics.frames import StoreFrames, positions

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
ObjArray = NDArray[np.object_]


def str_array(series: pd.Series, fill: str = "") -> ObjArray:
    """A text column as a numpy object array with missing values replaced by ``fill``.

    For small columns only: converting Arrow-backed strings to Python objects is slow.
    """
    out: ObjArray = series.astype(object).where(series.notna(), fill).to_numpy(dtype=object)
    return out


def eq_mask(series: pd.Series, *values: str) -> BoolArray:
    """Whether each entry of a text column is one of ``values`` (missing → False), without leaving Arrow."""
    hit = series == values[0] if len(values) == 1 else series.isin(list(values))
    out: BoolArray = hit.to_numpy(dtype=np.bool_, na_value=False)
    return out


def int_array(series: pd.Series, fill: int = 0) -> IntArray:
    """An integer column (possibly with NULLs) as int64, NULLs replaced by ``fill``."""
    out: IntArray = pd.to_numeric(series, errors="coerce").fillna(fill).to_numpy(dtype=np.int64)
    return out


def side_code(series: pd.Series) -> IntArray:
    """``'A'`` → 0, ``'B'`` → 1, anything else (no winner, NULL) → -1."""
    out: IntArray = np.where(eq_mask(series, "A"), 0, np.where(eq_mask(series, "B"), 1, -1)).astype(np.int64)
    return out


@dataclass(frozen=True)
class SideRounds:
    """Finished matches' rounds from both sides' points of view (see the module docstring for the layout).

    Per-match arrays are indexed by the match index ``m`` (position in ``match_ids``); per-row arrays have
    one entry per (match, side, round) row.
    """

    models: ObjArray  # sorted unique model names; codes index into it
    games: ObjArray  # sorted unique game names
    match_ids: ObjArray  # finished matches, in matches-table order
    m_game: IntArray
    m_model: IntArray  # shape (M, 2): model code of side A and side B
    m_first: IntArray  # side index of the first reviser
    m_seed: IntArray
    m_rep: IntArray
    m_winner: IntArray  # final adjudicated winner: 0, 1 or -1
    m_fingerprint: ObjArray
    unit_start: IntArray  # (2M + 1,) row offsets of the units
    match: IntArray
    side: IntArray
    model: IntArray
    opp: IntArray
    game: IntArray
    round: IntArray
    label: IntArray
    cost: IntArray
    budget: IntArray
    over: BoolArray  # cost > budget
    viol: BoolArray  # any violation or over budget
    win: BoolArray  # adjudicated winner is this side
    win_prev: BoolArray  # the same at the previous record of the unit (False on the first)
    viol_prev: BoolArray
    changed: BoolArray  # canonical plan differs from the previous record's
    own: BoolArray  # own turn: this side revised right before this record
    own_t: IntArray  # 0-based own-turn index within the unit (-1 where not an own turn)
    first_of_unit: BoolArray

    @property
    def n_matches(self) -> int:
        """Number of finished matches."""
        return len(self.match_ids)

    @property
    def unit(self) -> IntArray:
        """Unit index ``2m + side`` of every row."""
        return 2 * self.match + self.side


def side_rounds(frames: StoreFrames) -> SideRounds:
    """Build the side-rounds of the finished matches of ``frames``."""
    mt = frames.matches.loc[eq_mask(frames.matches["status"], "finished")].reset_index(drop=True)
    rd = frames.rounds  # rounds of voided matches are skipped through ``order`` (no DataFrame copy)
    match_ids = mt["match_id"].astype(object).to_numpy(dtype=object)
    n_m = len(match_ids)
    model_a, model_b = str_array(mt["model_a"]), str_array(mt["model_b"])
    models = np.unique(np.concatenate([model_a, model_b]).astype(str)).astype(object)
    game_names = str_array(mt["game"])
    games = np.unique(game_names.astype(str)).astype(object)
    m_model = np.stack([np.searchsorted(models, model_a), np.searchsorted(models, model_b)], axis=1)

    midx_all = positions(pd.Index(mt["match_id"]), rd["match_id"])
    rnd = int_array(rd["round"])
    kept = np.flatnonzero(midx_all >= 0)
    order = kept[np.lexsort((rnd[kept], midx_all[kept]))]
    midx = midx_all[order].astype(np.int64)
    n = len(midx)
    lengths = np.bincount(midx, minlength=n_m).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    i = np.arange(n, dtype=np.int64)
    pos = np.stack([i + start[midx], i + start[midx] + lengths[midx]])  # row position of side A / side B
    unit_start = np.empty(2 * n_m + 1, dtype=np.int64)
    unit_start[0:-1:2] = 2 * start
    unit_start[1:-1:2] = 2 * start + lengths
    unit_start[-1] = 2 * n

    def both(values: tuple[NDArray[Any], NDArray[Any]], dtype: type) -> NDArray[Any]:
        """Scatter side A's and side B's (store-ordered) values to their row positions."""
        out: NDArray[Any] = np.empty(2 * n, dtype=dtype)
        out[pos[0]], out[pos[1]] = values[0][order], values[1][order]
        return out

    def pair(name: str) -> tuple[IntArray, IntArray]:
        return int_array(rd[f"{name}_a"]), int_array(rd[f"{name}_b"])

    rwin = side_code(rd["winner"])
    first = np.zeros(len(rnd), dtype=np.bool_)
    first[order] = i == start[midx]
    cost = both(pair("cost"), np.int64)
    budget = both(pair("budget"), np.int64)
    over = cost > budget
    has_v = both(
        (~eq_mask(rd["violations_a"].fillna("[]"), "[]"), ~eq_mask(rd["violations_b"].fillna("[]"), "[]")),
        np.bool_,
    )
    viol = has_v | over
    win = both((rwin == 0, rwin == 1), np.bool_)
    own = both((eq_mask(rd["reviser"], "A", "AB"), eq_mask(rd["reviser"], "B", "AB")), np.bool_)
    changed_a, changed_b = pair("changed")
    changed = both((changed_a == 1, changed_b == 1), np.bool_)
    first_of_unit = both((first, first), np.bool_)
    own &= ~first_of_unit

    win_prev = np.zeros(2 * n, dtype=np.bool_)
    viol_prev = np.zeros(2 * n, dtype=np.bool_)
    if n:
        win_prev[1:] = win[:-1]
        viol_prev[1:] = viol[:-1]
        win_prev[first_of_unit] = False
        viol_prev[first_of_unit] = False

    match = np.empty(2 * n, dtype=np.int64)
    match[pos[0]], match[pos[1]] = midx, midx
    side = np.empty(2 * n, dtype=np.int64)
    side[pos[0]], side[pos[1]] = 0, 1
    unit = 2 * match + side
    counts = np.cumsum(own)
    before = counts - own
    base = before[unit_start[:-1][unit]] if n else before
    own_t = np.where(own, before - base, -1).astype(np.int64)
    labels = int_array(rd["label"])
    label = both((labels, labels), np.int64)

    m_game = np.searchsorted(games, game_names).astype(np.int64)
    return SideRounds(
        models=models,
        games=games,
        match_ids=match_ids,
        m_game=m_game,
        m_model=m_model.astype(np.int64),
        m_first=side_code(mt["first_reviser"]),
        m_seed=int_array(mt["seed"]),
        m_rep=int_array(mt["repetition"]),
        m_winner=side_code(mt["winner"]),
        m_fingerprint=str_array(mt["fingerprint"]),
        unit_start=unit_start,
        match=match,
        side=side,
        model=m_model[match, side].astype(np.int64),
        opp=m_model[match, 1 - side].astype(np.int64),
        game=m_game[match],
        round=both((rnd, rnd), np.int64),
        label=label,
        cost=cost,
        budget=budget,
        over=over,
        viol=viol,
        win=win,
        win_prev=win_prev,
        viol_prev=viol_prev,
        changed=changed,
        own=own,
        own_t=own_t,
        first_of_unit=first_of_unit,
    )


def sides_of(frames: StoreFrames) -> SideRounds:
    """The side-rounds of ``frames``, computed once per frames object (cached in ``frames.derived``)."""
    cached = frames.derived.get("side_rounds")
    if not isinstance(cached, SideRounds):
        cached = frames.derived["side_rounds"] = side_rounds(frames)
    return cached
