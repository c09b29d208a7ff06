"""Rank stability across a sweep: Kendall τ against the base point, with a bootstrap CI, and rank flips.

**τ.** The leaderboard of a point is its cross-game Bradley–Terry ratings (``game = 'all'``,
:func:`metrics.ratings.compute_ratings`). τ is Kendall's tau-b (:func:`scipy.stats.kendalltau`) between the
ratings at the point and at the base point, over the models rated at both.

**Its interval.** A percentile bootstrap in which each point is resampled on its own: within every **cell**
(game, model on side A, model on side B) of a point, the cell's matches are drawn with replacement (the
design fixes how many matches each pairing plays, so every resample keeps it), and the cross-game ratings are
refitted on the resampled rounds (:func:`metrics.ratings.fit_bt`, vectorised over the resamples, warm-started
from the point estimate). The base point's resamples come from a stream of their own, so the base row's
interval — τ between two independent resamples of the base — is the noise floor of the comparison. Draws use
:func:`metrics.intervals.stable_rng` keyed by the point's index: deterministic for a seed, independent of
``PYTHONHASHSEED``.

**Flips.** A pair of models whose order at a point is the reverse of its order at the base point, with
separated rating intervals (95% bootstrap, from the points' own rating fits) at both points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.stats import kendalltau

from metrics.aggregate import ALL_GAMES
from metrics.blas_threads import blas_single
from metrics.frames import StoreFrames
from metrics.intervals import percentile_interval, stable_rng
from metrics.ratings import fit_bt
from metrics.sweep_points import Sweep, values_columns
from metrics.sweep_stats import PointResult
from metrics.turns import sides_of

FloatArray = NDArray[np.float64]

#: Default resamples of the τ interval (each one refits every point's ratings).
TAU_BOOT: Final = 200
_BATCH_ELEMS: Final = 4_000_000
#: τ and its bounds are rounded to this many decimals (ratios of small integers: the last bits are noise).
_DIGITS: Final = 12
STABILITY_COLUMNS: Final = ("tau", "lo", "hi", "n_models", "n_matches")
FLIP_COLUMNS: Final = (
    "point",
    "label",
    "model_hi_at_base",
    "model_lo_at_base",
    "base_rating_hi",
    "base_lo_hi",
    "base_hi_hi",
    "base_rating_lo",
    "base_lo_lo",
    "base_hi_lo",
    "point_rating_hi",
    "point_lo_hi",
    "point_hi_hi",
    "point_rating_lo",
    "point_lo_lo",
    "point_hi_lo",
)


@dataclass(frozen=True)
class Replicates:
    """Bootstrap strengths of one point's cross-game fit.

    Attributes:
        models: The rated models (sorted).
        theta: ``(n_boot, models)`` strengths (the order of the ratings; the scale's anchor does not matter).
    """

    models: list[str]
    theta: FloatArray


def _cell_counts(cells: NDArray[np.int64], n_boot: int, rng: np.random.Generator) -> NDArray[np.float32]:
    """``(matches, n_boot)`` counts: each cell's matches drawn with replacement, cells in code order."""
    counts = np.zeros((len(cells), n_boot), dtype=np.float32)
    order = np.argsort(cells, kind="stable")
    bounds = np.flatnonzero(np.diff(cells[order])) + 1
    for members in np.split(order, bounds):
        k = len(members)
        draws = rng.integers(0, k, size=(n_boot, k)) + (np.arange(n_boot) * k)[:, None]
        counts[members] = np.bincount(draws.ravel(), minlength=n_boot * k).reshape(n_boot, k).T
    return counts


@blas_single
def replicate_strengths(
    frames: StoreFrames, n_boot: int, rng: np.random.Generator, ridge: float = 0.01
) -> Replicates:
    """Cross-game Bradley–Terry strengths of ``frames`` refitted on ``n_boot`` within-cell resamples.

    The fit is :func:`metrics.ratings.compute_ratings`'s ``all`` fit (same games' weights, same ridge).
    """
    sr = sides_of(frames)
    models = [str(m) for m in sr.models]
    p, g, n_m = len(models), len(sr.games), sr.n_matches
    if n_m == 0 or n_boot == 0:
        return Replicates(models, np.full((n_boot, p), np.nan))
    a_rows = sr.side == 0
    rounds = np.bincount(sr.match[a_rows], minlength=n_m).astype(np.float64)
    win_a = np.bincount(sr.match[a_rows], weights=sr.win[a_rows], minlength=n_m)
    win_b = np.bincount(sr.match[~a_rows], weights=sr.win[~a_rows], minlength=n_m)
    score = win_a + 0.5 * (rounds - win_a - win_b)
    key = (sr.m_game * p + sr.m_model[:, 0]) * p + sr.m_model[:, 1]
    cells, inverse = np.unique(key, return_inverse=True)
    shape = (len(cells), n_m)
    cols = np.arange(n_m)
    by_n = sp.csr_matrix((rounds.astype(np.float32), (inverse, cols)), shape=shape)
    by_y = sp.csr_matrix((score.astype(np.float32), (inverse, cols)), shape=shape)
    totals = np.bincount(sr.m_game, weights=rounds, minlength=g)
    weights = totals.sum() / (g * np.maximum(totals, 1.0))

    def arrays(counts: NDArray[np.float32] | None) -> tuple[FloatArray, FloatArray]:
        b = 1 if counts is None else counts.shape[1]
        n_out, y_out = np.zeros((b, g * p * p)), np.zeros((b, g * p * p))
        if counts is None:
            n_out[0, cells] = np.asarray(by_n.sum(axis=1)).ravel()
            y_out[0, cells] = np.asarray(by_y.sum(axis=1)).ravel()
        else:
            n_out[:, cells] = np.asarray(by_n @ counts, dtype=np.float64).T
            y_out[:, cells] = np.asarray(by_y @ counts, dtype=np.float64).T
        return n_out.reshape(b, g, p, p), y_out.reshape(b, g, p, p)

    n0, y0 = arrays(None)
    x_hat = fit_bt(n0, y0, weights, ridge)
    counts = _cell_counts(inverse.astype(np.int64), n_boot, rng)
    theta = np.empty((n_boot, p))
    batch = max(1, _BATCH_ELEMS // max(g * p * p, 1))
    for b0 in range(0, n_boot, batch):
        sel = slice(b0, min(n_boot, b0 + batch))
        nb, yb = arrays(counts[:, sel])
        x0 = np.repeat(x_hat, nb.shape[0], axis=0)
        theta[sel] = fit_bt(nb, yb, weights, ridge, x0=x0, tol=1e-5, dtype=np.float32)[:, :p]
    return Replicates(models, theta)


def tau_b_rows(x: FloatArray, y: FloatArray) -> FloatArray:
    """Kendall's tau-b between the columns of ``x`` and ``y``, row by row (``(B, K)`` → ``(B,)``).

    NaN where fewer than two columns, or where either row is constant (as :func:`scipy.stats.kendalltau`).
    """
    k = x.shape[1]
    if k < 2:
        return np.full(x.shape[0], np.nan)
    i, j = np.triu_indices(k, 1)
    sx, sy = np.sign(x[:, i] - x[:, j]), np.sign(y[:, i] - y[:, j])
    n0 = float(len(i))
    with np.errstate(invalid="ignore", divide="ignore"):
        den = np.sqrt((n0 - (sx == 0).sum(axis=1)) * (n0 - (sy == 0).sum(axis=1)))
        out: FloatArray = np.where(den > 0, (sx * sy).sum(axis=1) / den, np.nan)
    return out


def _board(result: PointResult) -> pd.DataFrame:
    t = result.ratings.table
    if t.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in ("rating", "lo", "hi")})
    sub = t.loc[t["game"] == ALL_GAMES].astype({"model": str})
    return sub.set_index("model")[["rating", "lo", "hi"]].astype(float).dropna(subset=["rating"])


def rank_stability(
    sweep: Sweep, results: Sequence[PointResult], *, n_boot: int = TAU_BOOT, seed: int = 0
) -> pd.DataFrame:
    """Kendall τ of every point's leaderboard against the base point's, with its bootstrap interval.

    Returns:
        One row per point: ``point, base, label, <paths…>, tau, lo, hi, n_models, n_matches`` (models rated
        at both points; finished matches of the point). τ is NaN with fewer than two common models.
    """
    head = values_columns(sweep)
    base = next(r for r in results if r.point.index == sweep.base_index)
    base_board = _board(base)
    ref = replicate_strengths(base.frames, n_boot, stable_rng(seed, "sweep-rank", "reference"))
    rows = []
    for r in results:
        board = _board(r)
        common = sorted(set(board.index) & set(base_board.index))
        tau = lo = hi = np.nan
        if len(common) >= 2:
            x, y = base_board.loc[common, "rating"], board.loc[common, "rating"]
            tau = round(float(kendalltau(x.to_numpy(), y.to_numpy(), variant="b").statistic), _DIGITS)
            if n_boot > 0:
                reps = replicate_strengths(
                    r.frames, n_boot, stable_rng(seed, "sweep-rank", str(r.point.index))
                )
                bx = ref.theta[:, [ref.models.index(m) for m in common]]
                by = reps.theta[:, [reps.models.index(m) for m in common]]
                lo, hi = (
                    round(float(v[0]), _DIGITS)
                    for v in percentile_interval(tau_b_rows(bx, by)[:, None], axis=0)
                )
        rows.append(
            {"point": r.point.index, "tau": tau, "lo": lo, "hi": hi, "n_models": len(common),
             "n_matches": r.point.n_finished}
        )  # fmt: skip
    out = head.merge(pd.DataFrame(rows, columns=["point", *STABILITY_COLUMNS]), on="point", how="left")
    return out.astype({"n_models": np.int64, "n_matches": np.int64})


def rank_flips(sweep: Sweep, results: Sequence[PointResult]) -> pd.DataFrame:
    """Pairs of models whose order at a point reverses the base order, intervals separated at both points.

    Returns:
        :data:`FLIP_COLUMNS` (``_hi`` / ``_lo`` suffixes: the model above / below at the base point), by point
        then by the base ratings; empty when nothing flips.
    """
    base = next(r for r in results if r.point.index == sweep.base_index)
    bb = _board(base)
    base_rating: dict[str, float] = {str(k): float(v) for k, v in bb["rating"].items()}
    rows = []
    for r in results:
        if r.point.index == sweep.base_index:
            continue
        pb = _board(r)
        common = sorted(set(bb.index) & set(pb.index), key=lambda m: (-base_rating[m], m))
        for a_pos, hi_m in enumerate(common):
            for lo_m in common[a_pos + 1 :]:
                h0, l0, h1, l1 = bb.loc[hi_m], bb.loc[lo_m], pb.loc[hi_m], pb.loc[lo_m]
                if not (h0["rating"] > l0["rating"] and l1["rating"] > h1["rating"]):
                    continue
                if not (h0["lo"] > l0["hi"] and l1["lo"] > h1["hi"]):  # NaN bounds: never separated
                    continue
                rows.append(
                    [r.point.index, sweep.label(r.point), hi_m, lo_m,
                     h0["rating"], h0["lo"], h0["hi"], l0["rating"], l0["lo"], l0["hi"],
                     h1["rating"], h1["lo"], h1["hi"], l1["rating"], l1["lo"], l1["hi"]]
                )  # fmt: skip
    out = pd.DataFrame(rows, columns=list(FLIP_COLUMNS))
    return out.astype({"point": np.int64}) if not out.empty else out
