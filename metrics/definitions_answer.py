"""The answer-rate metrics of a (model, game) cell, appended to the ``stratagem`` cells.

Over the decisions of the cell with status ``scored`` (see :mod:`metrics.answer_rate`):

- ``ar`` = answered / beatable = P(answered | beatable), a plain proportion (n = beatable decisions; it also
  gets a Wilson interval). Undefined (NaN, n = 0) when no decision was beatable, never 0.
- ``missed_wins`` = beatable − answered, a count (n = scored decisions; 0 when none was beatable, undefined
  only without any scored decision). Across games it is the sum, not the mean, and it has no interval.
- ``ar_margin`` = the mean, over the answered beatable decisions of games that define a margin
  (:meth:`games.core.Game.margin`) with ``best_margin`` > 0, of ``min(1, answer_margin / best_margin)``: the
  share of the best winning margin the search found that the model's win achieved (1 = it won at least as
  comfortably as the best win found). It says how well a model won, given that it did. ``ar`` says whether it
  did. n = those decisions.

Every value is a ratio of per-match sums, so the match-clustered bootstrap is the same matrix product of
resampled match counts as for the other ``stratagem`` metrics, through the same resampling plan
(:func:`metrics.resampling.match_resamples`), so a replicate moves ``ar`` together with ``wr`` and the rest.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from metrics.aggregate import Cells
from metrics.answer_search import SCORED
from metrics.frames import StoreFrames, positions
from metrics.intervals import wilson
from metrics.resampling import match_resamples
from metrics.turns import sides_of

FloatArray = NDArray[np.float64]

#: Metric names, in column order.
ANSWER_METRICS: Final = ("ar", "ar_margin", "missed_wins")
#: Per-match statistics: scored, beatable, answered beatable, margin-share count, margin-share sum.
_STATS: Final = ("nd", "nb", "na", "nm", "sm")


def _values(sums: FloatArray) -> tuple[FloatArray, NDArray[np.int64]]:
    """Metric values and n from summed statistics (last axis = :data:`_STATS`)."""
    nd, nb, na, nm, sm = (sums[..., j] for j in range(len(_STATS)))
    with np.errstate(invalid="ignore", divide="ignore"):
        ar = np.where(nb > 0, na / nb, np.nan)
        vals = np.stack([ar, np.where(nm > 0, sm / nm, np.nan), np.where(nd > 0, nb - na, np.nan)], axis=-1)
    ns = np.rint(np.stack([nb, nm, nd], axis=-1)).astype(np.int64)
    return vals, ns


def _match_stats(
    frames: StoreFrames, decisions: pd.DataFrame
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], FloatArray]:
    """``(model code, game code, match index, stats)`` per (model, match) with a scored decision."""
    sr = sides_of(frames)
    d = decisions.loc[decisions["status"] == SCORED]
    match = positions(pd.Index(sr.match_ids), d["match_id"])
    model = np.searchsorted(sr.models, d["model"].to_numpy(dtype=object).astype(str))
    known = (match >= 0) & (model < len(sr.models))
    if known.any():
        known[known] = sr.models[model[known]] == d["model"].to_numpy(dtype=object)[known]
    beat = d["beatable"].to_numpy(dtype=bool) & known
    ans = beat & d["answered"].to_numpy(dtype=bool)
    best = pd.to_numeric(d["best_margin"], errors="coerce").to_numpy(dtype=np.float64)
    got = pd.to_numeric(d["answer_margin"], errors="coerce").to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_ok = ans & (best > 0) & ~np.isnan(got)
        share = np.where(share_ok, np.minimum(1.0, got / np.where(share_ok, best, 1.0)), 0.0)
    n_m = max(sr.n_matches, 1)
    key = np.where(known, model * n_m + match, -1)
    keys, inverse = np.unique(key[known], return_inverse=True)
    stats = np.zeros((len(keys), len(_STATS)))
    for j, col in enumerate((known, beat, ans, share_ok, share)):
        stats[:, j] = np.bincount(inverse, weights=col[known].astype(np.float64), minlength=len(keys))
    m_model = (keys // n_m).astype(np.int64)
    m_match = (keys % n_m).astype(np.int64)
    return m_model, sr.m_game[m_match].astype(np.int64), m_match, stats


def answer_columns(
    frames: StoreFrames, decisions: pd.DataFrame, cells: Cells, n_boot: int = 1000, seed: int = 0
) -> Cells:
    """``cells`` with the :data:`ANSWER_METRICS` columns appended (NaN, n = 0 where a cell has no decision).

    Args:
        frames: The frames the cells were computed from (for the match index and the resampling plan).
        decisions: :attr:`metrics.answer_rate.AnswerTable.decisions` of the same frames.
        cells: The ``stratagem`` cells.
        n_boot: Bootstrap resamples (0: none; must match the cells').
        seed: Bootstrap seed (must match the cells').
    """
    sr = sides_of(frames)
    n_c, n_k = len(cells.models), len(ANSWER_METRICS)
    values = np.full((n_c, n_k), np.nan)
    ns = np.zeros((n_c, n_k), dtype=np.int64)
    reps = None if cells.reps is None else np.full((n_c, cells.reps.shape[1], n_k), np.nan)
    wl, wh = np.full((n_c, n_k), np.nan), np.full((n_c, n_k), np.nan)
    model, game, match, stats = _match_stats(frames, decisions)
    cell_of = {(m, g): i for i, (m, g) in enumerate(zip(cells.models, cells.games, strict=True))}
    plan = match_resamples(frames, n_boot, seed) if reps is not None and n_boot > 0 else None
    cell_key = model * max(len(sr.games), 1) + game
    for key in np.unique(cell_key):
        rows = np.flatnonzero(cell_key == key)
        mc, gc = int(model[rows[0]]), int(game[rows[0]])
        c = cell_of.get((str(sr.models[mc]), str(sr.games[gc])))
        if c is None:
            continue
        sums = stats[rows].sum(axis=0)
        values[c], ns[c] = _values(sums)
        wl[c, 0], wh[c, 0] = (float(x) for x in wilson(sums[2], sums[1]))
        if plan is not None and reps is not None:
            counts = plan.rows(gc, match[rows])
            rep = _values((stats[rows].T.astype(counts.dtype) @ counts).T.astype(np.float64))[0]
            rep[:, 2] = np.nan  # a count has no interval
            reps[c] = rep
    return Cells(
        models=cells.models,
        games=cells.games,
        metrics=(*cells.metrics, *ANSWER_METRICS),
        values=np.concatenate([cells.values, values], axis=1),
        ns=np.concatenate([cells.ns, ns], axis=1),
        reps=None if reps is None or cells.reps is None else np.concatenate([cells.reps, reps], axis=2),
        wilson_lo=np.concatenate([cells.wilson_lo, wl], axis=1),
        wilson_hi=np.concatenate([cells.wilson_hi, wh], axis=1),
    )
