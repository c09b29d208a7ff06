"""Bradley–Terry ratings with a side term, on an Elo-like scale, with match-clustered bootstrap intervals.

Model: in a round of game g between model i on side A and model j on side B,
``logit P(A wins) = θ_i − θ_j + h_g`` (h_g = side-A advantage of the game). A round with no winner counts as
half a win for each side. θ is fitted by penalised maximum likelihood (Newton's method, vectorised over all
bootstrap resamples at once) with a weak ridge ``λ/2 Σθ²`` (λ = 0.01 by default: a N(0, 10²) prior) that keeps
the fit finite when a model wins or loses every round, and leaves well-measured strengths unchanged.

- Per game: θ and h_g fitted on that game's rounds.
- Across games: one θ per model and one h_g per game, each game's log-likelihood weighted by
  ``N / (G · N_g)`` so that every game counts equally whatever its number of rounds.

Scale: ``rating = 1000 + (400 / ln 10) · (θ − θ_anchor)``: a 400-point gap means 10:1 odds. The anchor is
``bot/random`` (fixed at exactly 1000) when it took part in the fit; otherwise the mean θ of the fitted
models is placed at 1000, and :attr:`Ratings.anchors` says so. Intervals: percentiles of the ratings refitted
on bootstrap resamples of matches (resampled within each game), warm-started from the point estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.special import expit

from metrics.blas_threads import blas_single
from metrics.frames import StoreFrames
from metrics.intervals import percentile_interval
from metrics.resampling import match_resamples
from metrics.turns import sides_of

FloatArray = NDArray[np.float64]

ANCHOR_MODEL: Final = "bot/random"
ELO_SCALE: Final = 400.0 / math.log(10.0)
_MAX_STEP: Final = 3.0
_BATCH_ELEMS: Final = 4_000_000


@dataclass(frozen=True)
class Ratings:
    """Fitted ratings.

    Attributes:
        table: Columns ``model, game, rating, lo, hi, n`` (``game = 'all'`` for the cross-game fit; n =
            rounds the model played).
        side_advantage: Columns ``game, h, lo, hi``: side-A log-odds advantage per game (cross-game fit).
        anchors: Per game (and ``all``): ``"bot/random"`` or ``"mean"`` (bot/random absent: mean θ = 1000).
    """

    table: pd.DataFrame
    side_advantage: pd.DataFrame
    anchors: dict[str, str] = field(default_factory=dict)

    def notes(self) -> list[str]:
        """Human-readable notes about the anchoring, for reports."""
        mean = sorted(g for g, a in self.anchors.items() if a == "mean")
        if not mean:
            return [f"Ratings are anchored at {ANCHOR_MODEL} = 1000."]
        return [
            f"{ANCHOR_MODEL} did not play in: {', '.join(mean)}; there the scale is anchored by placing the "
            "mean strength of the rated models at 1000."
        ]


def fit_bt(
    n: FloatArray,
    y: FloatArray,
    weights: FloatArray,
    ridge: float = 0.01,
    x0: FloatArray | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
    dtype: type = np.float64,
) -> FloatArray:
    """Fit Bradley–Terry strengths with per-game side terms, batched over resamples (Newton's method).

    Args:
        n: ``(B, G, P, P)`` rounds with model i on side A and model j on side B in game g.
        y: ``(B, G, P, P)`` side-A wins in those rounds (no winner = 0.5).
        weights: ``(G,)`` likelihood weight of each game.
        ridge: λ of the penalty on θ (not on the side terms).
        x0: ``(B, P + G)`` starting point (zeros when None).
        max_iter: Newton iterations cap.
        tol: Stop when no parameter moves by more than this.
        dtype: Float type of the ``(B, G, P, P)`` work arrays (float32 for bootstrap refits: half the memory
            traffic, ample precision for percentiles; the linear solves stay in float64).

    Returns:
        ``(B, P + G)``: θ then h of every resample.
    """
    b, g, p, _ = n.shape
    k = p + g
    x = np.zeros((b, k)) if x0 is None else x0.astype(np.float64)
    n_w: NDArray[Any] = n.astype(dtype, copy=False)
    y_w: NDArray[Any] = y.astype(dtype, copy=False)
    w = weights.astype(np.float64)[None, :]
    eye_p = np.eye(p)
    diag_g = np.arange(g)
    for _ in range(max_iter):
        theta: NDArray[Any] = x[:, :p].astype(dtype)
        h: NDArray[Any] = x[:, p:].astype(dtype)
        d = (theta[:, None, :, None] - theta[:, None, None, :]) + h[:, :, None, None]
        prob = expit(d)
        np_ = n_w * prob
        resid = y_w - np_
        v = np_ * (1 - prob)
        # Sums over the pairs first, then the per-game weights (w is constant within a game).
        r_row = resid.sum(axis=3, dtype=np.float64) * w[:, :, None]  # (B, G, P)
        r_col = resid.sum(axis=2, dtype=np.float64) * w[:, :, None]
        v_row = v.sum(axis=3, dtype=np.float64) * w[:, :, None]
        v_col = v.sum(axis=2, dtype=np.float64) * w[:, :, None]
        v_pair = np.einsum("bgij,g->bij", v.astype(np.float64, copy=False), w[0])
        grad = np.empty((b, k))
        grad[:, :p] = (r_row - r_col).sum(axis=1) - ridge * x[:, :p]
        grad[:, p:] = r_row.sum(axis=2)
        hess = np.empty((b, k, k))
        hess[:, :p, :p] = -(v_pair + v_pair.transpose(0, 2, 1))
        hess[:, :p, :p] += (v_row + v_col).sum(axis=1)[:, :, None] * eye_p + ridge * eye_p
        hess[:, :p, p:] = (v_row - v_col).transpose(0, 2, 1)
        hess[:, p:, :p] = v_row - v_col
        hess[:, p:, p:] = 0.0
        # Tiny floor: a game without rounds in a resample keeps a solvable system.
        hess[:, p:, p:][:, diag_g, diag_g] = v_row.sum(axis=2) + 1e-12
        step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        big = np.abs(step).max(axis=1, keepdims=True)
        step *= np.minimum(1.0, _MAX_STEP / np.maximum(big, 1e-300))
        x += step
        if float(np.abs(step).max(initial=0.0)) < tol:  # quadratic convergence: the next step is ~tol²
            break
    return x


def _to_rating(theta: FloatArray, anchor: int | None) -> FloatArray:
    ref = theta[..., anchor] if anchor is not None else theta.mean(axis=-1)
    return 1000.0 + ELO_SCALE * (theta - ref[..., None])


@dataclass(frozen=True)
class _GameMatches:
    """One game's finished matches as pair sufficient statistics (global model codes)."""

    pair: NDArray[np.int64]  # a · P + b
    n: FloatArray  # rounds of the match
    y: FloatArray  # side-A score (wins + half the rounds without a winner)
    pairs: NDArray[np.int64]  # distinct pairs, sorted
    by_pair_n: sp.csr_matrix  # (distinct pairs, matches): rounds of each pair's matches
    by_pair_y: sp.csr_matrix  # (distinct pairs, matches): side-A scores of each pair's matches

    def aggregate(self, p: int, counts: NDArray[Any] | None) -> tuple[FloatArray, FloatArray]:
        """``(B, P, P)`` rounds and side-A scores by pair, weighting match i by ``counts[i]`` (None: 1)."""
        if counts is None:
            nn = np.bincount(self.pair, weights=self.n, minlength=p * p).astype(np.float64)
            yy = np.bincount(self.pair, weights=self.y, minlength=p * p).astype(np.float64)
            return nn.reshape(1, p, p), yy.reshape(1, p, p)
        b = counts.shape[1]
        out_n = np.zeros((b, p * p))
        out_y = np.zeros((b, p * p))
        if len(self.pair):
            c = np.asarray(counts, dtype=np.float32)  # one game's float32 copy at a time
            out_n[:, self.pairs] = np.asarray(self.by_pair_n @ c, dtype=np.float64).T  # (pairs, B) sums
            out_y[:, self.pairs] = np.asarray(self.by_pair_y @ c, dtype=np.float64).T
        return out_n.reshape(b, p, p), out_y.reshape(b, p, p)


def _game_matches(frames: StoreFrames) -> list[_GameMatches]:
    """Per game code, the pair statistics of its finished matches (in match-index order)."""
    sr = sides_of(frames)
    p = len(sr.models)
    a_rows = sr.side == 0
    n_m = sr.n_matches
    rounds = np.bincount(sr.match[a_rows], minlength=n_m).astype(np.float64)
    win_a = np.bincount(sr.match[a_rows], weights=sr.win[a_rows], minlength=n_m)
    win_b = np.bincount(sr.match[~a_rows], weights=sr.win[~a_rows], minlength=n_m)
    score = win_a + 0.5 * (rounds - win_a - win_b)
    out = []
    for g in range(len(sr.games)):
        ms = np.flatnonzero(sr.m_game == g)
        pair = sr.m_model[ms, 0] * p + sr.m_model[ms, 1]
        pairs, rank = np.unique(pair, return_inverse=True)
        shape = (len(pairs), len(ms))
        cols = np.arange(len(ms))
        # float32: the bootstrap counts are float32 (no upcast copy); the sums stay exact.
        by_n = sp.csr_matrix((rounds[ms].astype(np.float32), (rank, cols)), shape=shape)
        by_y = sp.csr_matrix((score[ms].astype(np.float32), (rank, cols)), shape=shape)
        out.append(_GameMatches(pair, rounds[ms], score[ms], pairs, by_n, by_y))
    return out


@blas_single
def compute_ratings(
    frames: StoreFrames, n_boot: int = 1000, seed: int = 0, ridge: float = 0.01, anchor: str = ANCHOR_MODEL
) -> Ratings:
    """Fit per-game and cross-game ratings of the finished matches, with bootstrap intervals.

    Args:
        frames: Store frames (only finished matches are used).
        n_boot: Bootstrap resamples (0: no intervals).
        seed: Bootstrap seed.
        ridge: λ of the ridge penalty.
        anchor: The model fixed at 1000 when present.
    """
    sr = sides_of(frames)
    games = [str(g) for g in sr.games]
    if not games:
        cols = ("model", "game", "rating", "lo", "hi", "n")
        return Ratings(
            pd.DataFrame({c: pd.Series(dtype=object) for c in cols}),
            pd.DataFrame({c: [] for c in ("game", "h", "lo", "hi")}),
            {},
        )
    p = len(sr.models)
    gms = _game_matches(frames)
    # Models of each fit: the game's players per game; everybody across games.
    members = [np.unique(np.concatenate([gm.pair // p, gm.pair % p])) for gm in gms]
    fits = [*members, np.arange(p)]
    totals = np.array([gm.n.sum() for gm in gms])
    weights = [np.ones(1), totals.sum() / (len(games) * np.maximum(totals, 1.0))]

    def arrays(counts: list[NDArray[Any] | None]) -> tuple[FloatArray, FloatArray]:
        parts = [gm.aggregate(p, c) for gm, c in zip(gms, counts, strict=True)]
        return np.stack([x for x, _ in parts], axis=1), np.stack([y for _, y in parts], axis=1)

    def subsets(n_all: FloatArray, y_all: FloatArray) -> list[tuple[FloatArray, FloatArray, FloatArray]]:
        """(n, y, weights) of every fit: per game on its players, then across games."""
        out = []
        for g, idx in enumerate(members):
            sub = np.ix_(np.arange(n_all.shape[0]), np.array([g]), idx, idx)
            out.append((n_all[sub], y_all[sub], weights[0]))
        out.append((n_all, y_all, weights[1]))
        return out

    n0, y0 = arrays([None] * len(gms))
    x_hat = [fit_bt(n, y, w, ridge) for n, y, w in subsets(n0, y0)]
    reps: list[FloatArray | None] = [None] * len(fits)
    if n_boot > 0:
        plan = match_resamples(frames, n_boot, seed)
        reps = [
            np.empty((n_boot, len(idx) + (1 if k < len(members) else len(gms)))) for k, idx in enumerate(fits)
        ]
        # Pair totals of every resample at once (one sparse product per game), then batched refits.
        nb_all, yb_all = arrays([plan.counts[g] for g in range(len(gms))])
        batch = max(1, _BATCH_ELEMS // max(len(gms) * p * p, 1))
        for b0 in range(0, n_boot, batch):
            sel = slice(b0, min(n_boot, b0 + batch))
            for k, (n, y, w) in enumerate(subsets(nb_all[sel], yb_all[sel])):
                x0 = np.repeat(x_hat[k], n.shape[0], axis=0)
                rk = reps[k]
                if rk is not None:
                    rk[sel] = fit_bt(n, y, w, ridge, x0=x0, tol=1e-5, dtype=np.float32)
    anchors: dict[str, str] = {}
    tables = []
    for k, idx in enumerate(fits):
        label = games[k] if k < len(members) else "all"
        names = [str(m) for m in sr.models[idx]]
        n_sub = n0[0][:, idx][:, :, idx] if k == len(members) else n0[0][[k]][:, idx][:, :, idx]
        tot = n_sub.sum(axis=0)
        n_rounds = tot.sum(axis=1) + tot.sum(axis=0) - np.diag(tot)
        table, side = _rate(label, names, x_hat[k][0], reps[k], n_rounds, anchor, anchors)
        tables.append(table)
        if k == len(members):
            side.insert(0, "game", games)
            side_adv = side
    return Ratings(pd.concat(tables, ignore_index=True), side_adv, anchors)


def _rate(
    label: str,
    models: list[str],
    x_hat: FloatArray,
    reps: FloatArray | None,
    n_rounds: FloatArray,
    anchor: str,
    anchors: dict[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ratings table and side terms of one fit (point estimate + bootstrap percentiles)."""
    p = len(models)
    a_idx = models.index(anchor) if anchor in models else None
    anchors[label] = anchor if a_idx is not None else "mean"
    rating = _to_rating(x_hat[:p], a_idx)
    lo = hi = np.full(p, np.nan)
    h_lo = h_hi = np.full(len(x_hat) - p, np.nan)
    if reps is not None:
        lo, hi = percentile_interval(_to_rating(reps[:, :p], a_idx), axis=0)
        h_lo, h_hi = percentile_interval(reps[:, p:], axis=0)
        if a_idx is not None:  # the anchor is fixed by definition, not estimated
            lo[a_idx] = hi[a_idx] = 1000.0
    table = pd.DataFrame(
        {"model": models, "game": label, "rating": rating, "lo": lo, "hi": hi, "n": n_rounds.astype(np.int64)}
    )
    return table, pd.DataFrame({"h": x_hat[p:], "lo": h_lo, "hi": h_hi})


def ratings_long(ratings: Ratings, definitions: str) -> pd.DataFrame:
    """The ratings as ``metric = 'rating'`` rows of the long metrics table."""
    t = ratings.table
    return pd.DataFrame(
        {
            "model": t["model"].astype(object),
            "game": t["game"].astype(object),
            "definitions": definitions,
            "metric": "rating",
            "value": t["rating"].astype(float),
            "lo": t["lo"].astype(float),
            "hi": t["hi"].astype(float),
            "n": t["n"].astype(np.int64),
            "wilson_lo": np.nan,
            "wilson_hi": np.nan,
        }
    )
