"""The ``stratagem`` definition set (the default; ``shared/design/metrics.md``).

For model m in match x, own turns t = 0…n−1 (rounds k ≥ 2 right after m's side revised): revision r_t = the
canonical plan changed (``changed_s``); w_t / w⁻_t = m's side won this / the previous record; b_t = over
budget; x_t = any violation or over budget. Per (model, match) the module first computes **sufficient
statistics** (:data:`STATS`); every metric of a cell is a ratio of sums of them, so the match-clustered
bootstrap is a matrix product of resampled match counts with the statistics.

- wr = Σw/n, obr = Σb/n, orr = Σr/n (n = own turns);
- csr = successes / corrections, where a correction is r=1 with w⁻=0 or x⁻=1 and a success is w=1 or
  (x⁻=1 and x=0); ``csr_win`` = among corrections with w⁻=0 the share with w=1; ``csr_fix`` = among
  corrections with x⁻=1 the share with x=0 (each component over its own denominator);
- unforced_revision_rate = among own turns with w⁻=1 and x⁻=0 the share with r=1; overcorrection_harm =
  among those unforced revisions the share with w=0;
- beta = Σ Sxy / Σ Sxx with t and w demeaned inside each (match, side), n = own turns of the (match, side)
  units that have at least two own turns;
- round_wr = wins / all round records; match_wr = share of matches whose final adjudicated winner is m's side.

Every ratio with a zero denominator is NaN with n = 0.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from metrics.aggregate import Cells
from metrics.frames import StoreFrames
from metrics.intervals import wilson
from metrics.resampling import match_resamples
from metrics.turns import SideRounds, sides_of

FloatArray = NDArray[np.float64]

STATS: Final = (
    "n", "sw", "sb", "sr", "nc", "cs", "ncw", "cw", "ncf", "cf", "nu", "ur", "uh", "sxy", "sxx", "nbeta",
    "nra", "wra", "nma", "wma",
)  # fmt: skip
_S: Final = {name: i for i, name in enumerate(STATS)}

#: metric → (numerator stat, denominator stat, n stat, is a plain proportion)
RATIOS: Final[dict[str, tuple[str, str, str, bool]]] = {
    "wr": ("sw", "n", "n", True),
    "orr": ("sr", "n", "n", True),
    "csr": ("cs", "nc", "nc", True),
    "csr_win": ("cw", "ncw", "ncw", True),
    "csr_fix": ("cf", "ncf", "ncf", True),
    "beta": ("sxy", "sxx", "nbeta", False),
    "obr": ("sb", "n", "n", True),
    "unforced_revision_rate": ("ur", "nu", "nu", True),
    "overcorrection_harm": ("uh", "ur", "ur", True),
    "round_wr": ("wra", "nra", "nra", True),
    "match_wr": ("wma", "nma", "nma", True),
}
METRICS: Final = tuple(RATIOS)


def _unit_stats(sr: SideRounds) -> FloatArray:
    """``(2M, len(STATS))`` statistics of every (match, side) unit."""
    n_units = 2 * sr.n_matches
    o = sr.own
    u = sr.unit[o]
    w, wp, x, xp, r, b = sr.win[o], sr.win_prev[o], sr.viol[o], sr.viol_prev[o], sr.changed[o], sr.over[o]
    t = sr.own_t[o].astype(np.float64)
    corr = r & (~wp | xp)
    ncw = corr & ~wp
    ncf = corr & xp
    elig = wp & ~xp
    ur = elig & r

    def s(weights: NDArray[np.generic] | None = None, units: NDArray[np.int64] = u) -> FloatArray:
        return np.bincount(units, weights=weights, minlength=n_units).astype(np.float64)

    out = np.zeros((n_units, len(STATS)))
    out[:, _S["n"]] = n = s()
    out[:, _S["sw"]] = sw = s(w)
    out[:, _S["sb"]] = s(b)
    out[:, _S["sr"]] = s(r)
    out[:, _S["nc"]] = s(corr)
    out[:, _S["cs"]] = s(corr & (w | (xp & ~x)))
    out[:, _S["ncw"]] = s(ncw)
    out[:, _S["cw"]] = s(ncw & w)
    out[:, _S["ncf"]] = s(ncf)
    out[:, _S["cf"]] = s(ncf & ~x)
    out[:, _S["nu"]] = s(elig)
    out[:, _S["ur"]] = s(ur)
    out[:, _S["uh"]] = s(ur & ~w)
    st, stt, stw = s(t), s(t * t), s(t * w)
    with np.errstate(invalid="ignore", divide="ignore"):
        sxx = np.where(n > 0, stt - st * st / n, 0.0)
        sxy = np.where(n > 0, stw - st * sw / n, 0.0)
    multi = n >= 2
    out[:, _S["sxx"]] = np.where(multi, sxx, 0.0)
    out[:, _S["sxy"]] = np.where(multi, sxy, 0.0)
    out[:, _S["nbeta"]] = np.where(multi, n, 0.0)
    out[:, _S["nra"]] = np.diff(sr.unit_start).astype(np.float64)
    out[:, _S["wra"]] = s(sr.win, sr.unit)
    out[:, _S["nma"]] = 1.0
    unit_side = np.tile([0, 1], sr.n_matches)
    out[:, _S["wma"]] = (np.repeat(sr.m_winner, 2) == unit_side).astype(np.float64)
    return out


def match_stats_arrays(
    sr: SideRounds,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], FloatArray]:
    """Sufficient statistics per (model, match), sorted by (model, game, match).

    Returns:
        ``(model code, game code, match index, stats)`` with ``stats`` of shape ``(rows, len(STATS))``.
        A model playing both sides of a match (self-play) has one row holding both sides' turns.
    """
    unit_stats = _unit_stats(sr)
    n_m = sr.n_matches
    unit_model = sr.m_model.ravel()
    unit_match = np.repeat(np.arange(n_m, dtype=np.int64), 2)
    keys, inverse = np.unique(unit_model * max(n_m, 1) + unit_match, return_inverse=True)
    stats = (
        np.stack(
            [np.bincount(inverse, weights=unit_stats[:, j], minlength=len(keys)) for j in range(len(STATS))],
            axis=1,
        )
        if len(keys)
        else np.zeros((0, len(STATS)))
    )
    model: NDArray[np.int64] = (keys // max(n_m, 1)).astype(np.int64)
    match: NDArray[np.int64] = (keys % max(n_m, 1)).astype(np.int64)
    game = sr.m_game[match] if len(keys) else match
    order = np.lexsort((match, game, model))
    return model[order], game[order], match[order], stats[order].astype(np.float64)


def match_stats(frames: StoreFrames) -> pd.DataFrame:
    """Per (model, game, finished match) sufficient statistics, e.g. for paired tests in the CI gate.

    Columns: ``model, game, match_id, fingerprint`` + :data:`STATS`.
    """
    sr = sides_of(frames)
    model, game, match, stats = match_stats_arrays(sr)
    head = pd.DataFrame(
        {
            "model": sr.models[model],
            "game": sr.games[game],
            "match_id": sr.match_ids[match],
            "fingerprint": sr.m_fingerprint[match],
        }
    )
    return pd.concat([head, pd.DataFrame(stats, columns=list(STATS))], axis=1)


def values_from_sums(sums: FloatArray) -> tuple[FloatArray, NDArray[np.int64]]:
    """Metric values and n from summed statistics (last axis = :data:`STATS`; NaN where undefined)."""
    vals = np.empty((*sums.shape[:-1], len(METRICS)))
    ns = np.empty((*sums.shape[:-1], len(METRICS)), dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, (num, den, ncol, _) in enumerate(RATIOS.values()):
            d = sums[..., _S[den]]
            nn = sums[..., _S[ncol]]
            vals[..., j] = np.where((d > 0) & (nn > 0), sums[..., _S[num]] / d, np.nan)
            ns[..., j] = np.rint(nn).astype(np.int64)
    return vals, ns


def cell_replicates(stats: FloatArray, counts: NDArray[np.floating[Any]]) -> FloatArray:
    """``(n_boot, len(METRICS))`` bootstrap replicates of one cell.

    Args:
        stats: ``(M, len(STATS))`` per-match statistics of the cell.
        counts: ``(M, n_boot)`` how often each of those matches is drawn in each resample.
    """
    sums = (stats.T.astype(counts.dtype) @ counts).T.astype(np.float64)
    return values_from_sums(sums)[0]


def stratagem_cells(frames: StoreFrames, n_boot: int = 1000, seed: int = 0) -> Cells:
    """Every (model, game) cell of the finished matches under the ``stratagem`` definitions."""
    sr = sides_of(frames)
    model, game, match, stats = match_stats_arrays(sr)
    cell_key = model * max(len(sr.games), 1) + game
    bounds = np.flatnonzero(np.diff(cell_key)) + 1
    starts = np.concatenate([[0], bounds]) if len(cell_key) else np.zeros(0, dtype=np.int64)
    ends = np.concatenate([bounds, [len(cell_key)]]) if len(cell_key) else np.zeros(0, dtype=np.int64)
    n_c = len(starts)
    sums = np.add.reduceat(stats, starts, axis=0) if n_c else np.zeros((0, len(STATS)))
    values, ns = values_from_sums(sums)
    reps = None
    models = [str(sr.models[model[s]]) for s in starts]
    games = [str(sr.games[game[s]]) for s in starts]
    if n_boot > 0:
        plan = match_resamples(frames, n_boot, seed)
        reps = np.empty((n_c, n_boot, len(METRICS)))
        for c in range(n_c):
            sl = slice(starts[c], ends[c])
            reps[c] = cell_replicates(stats[sl], plan.rows(int(game[starts[c]]), match[sl]))
    wl = np.full((n_c, len(METRICS)), np.nan)
    wh = wl.copy()
    for j, (num, den, _, prop) in enumerate(RATIOS.values()):
        if prop:
            wl[:, j], wh[:, j] = wilson(sums[:, _S[num]], sums[:, _S[den]])
    return Cells(models, games, METRICS, values, ns, reps, wl, wh)
