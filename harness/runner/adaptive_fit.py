"""The leaderboard ``stratagem run --adaptive`` steers by, and the criterion that stops it.

One Bradley–Terry fit across the experiment's games, the same model as the report's ``game = 'all'``
ratings (:func:`metrics.ratings.compute_ratings`): ``logit P(A wins a round) = θ_i − θ_j + h_g``, a round
without a winner half a win each, every game weighted equally, ridge λ = 0.01, fitted by
:func:`metrics.ratings.fit_bt`; ratings on the same Elo-like scale (``bot/random`` = 1000 when present,
else the mean). The point estimates equal the report's cross-game ratings of the same matches.

**Separated at the confidence c.** Models are ordered by rating (ties: the experiment's model order). For
each *adjacent* pair (upper, lower) the difference ``rating(upper) − rating(lower)`` is refitted on
``n_boot`` bootstrap resamples of the matches (drawn with replacement within each game: the match is the
cluster, as in the metrics); the pair is **settled** when the percentile interval of the difference at
level c lies above 0 (its lower end ``> 0``). The leaderboard is settled when every adjacent pair is.
This is a test on the difference itself, sharper than asking that the two ratings' own intervals not
overlap (which is what the report's rank ranges show at 95%).

**Few matches.** A percentile bootstrap of few clusters is overconfident: two matches won in every round
resample to the same data every time, an interval of width 0, "settled" after one round robin. So each
resample also draws from :data:`PRIOR_MATCHES` *level* pseudo-matches per pair of models that met, in each
game (as long as that game's mean match, half its rounds won by each side; they join the game's clusters):
a weak prior of equality that keeps a pair open until its matches outweigh it, and fades as they accumulate.
The point estimates leave the pseudo-matches out (they stay the report's ratings), so the prior only
widens the intervals, toward 0.

**Order probability.** ``p_order`` is the share of resamples that order the pair as the point estimate
does (ties count half): the closer to 0.5, the less certain the pair, and the sooner it is played again.

The resamples are drawn from ``numpy.random.default_rng(seed)``, so the same matches and seed give the same
leaderboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from metrics.ratings import ANCHOR_MODEL, ELO_SCALE, fit_bt

#: λ of the ridge penalty (the ratings' default).
RIDGE = 0.01
#: Level pseudo-matches per pair that met, per game, among the bootstrap's clusters.
PRIOR_MATCHES = 1


@dataclass(frozen=True)
class MatchScore:
    """What the fit reads of one finished match.

    Attributes:
        game: The game.
        model_a: Side A's model.
        model_b: Side B's model.
        rounds: Rounds played.
        score_a: Side A's round wins plus half the rounds without a winner.
    """

    game: str
    model_a: str
    model_b: str
    rounds: int
    score_a: float


@dataclass(frozen=True)
class AdjacentPair:
    """Two neighbours of the leaderboard.

    Attributes:
        position: Rank of ``upper`` (1 = the top).
        upper: The higher rated model.
        lower: The model just below it.
        diff: ``rating(upper) − rating(lower)`` (rating points).
        lo: Lower end of the difference's bootstrap interval at the confidence.
        hi: Upper end.
        p_order: Share of resamples with ``upper`` above ``lower`` (ties half).
        settled: ``lo > 0``.
    """

    position: int
    upper: str
    lower: str
    diff: float
    lo: float
    hi: float
    p_order: float
    settled: bool

    def reason(self) -> dict[str, object]:
        """The figures as JSON-ready values (rounded, so a log compares equal across machines)."""
        return {
            "position": self.position,
            "upper": self.upper,
            "lower": self.lower,
            "diff": round(self.diff, 3),
            "lo": round(self.lo, 3),
            "hi": round(self.hi, 3),
            "p_order": round(self.p_order, 4),
        }


@dataclass(frozen=True)
class Leaderboard:
    """Ratings in order and the state of every adjacent pair.

    Attributes:
        order: Models best first.
        ratings: Rating of each model.
        pairs: The adjacent pairs, top first.
        confidence: The level of the intervals.
        n_matches: Matches the fit read.
        models: The models in the experiment's order (the index of ``theta`` and ``cov``).
        theta: Fitted strengths (log-odds scale).
        cov: Bootstrap covariance of the strengths (``P × P``, log-odds scale).
        rounds: Mean rounds of a match.
    """

    order: tuple[str, ...]
    ratings: dict[str, float]
    pairs: tuple[AdjacentPair, ...]
    confidence: float
    n_matches: int
    models: tuple[str, ...] = ()
    theta: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0), compare=False, repr=False)
    cov: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)), compare=False, repr=False)
    rounds: float = 1.0

    @property
    def n_settled(self) -> int:
        """Adjacent pairs settled."""
        return sum(1 for p in self.pairs if p.settled)

    @property
    def settled(self) -> bool:
        """Whether every adjacent pair is settled."""
        return all(p.settled for p in self.pairs)

    def settled_text(self) -> str:
        """``settled 3/5 adjacent pairs``."""
        return f"settled {self.n_settled}/{len(self.pairs)} adjacent pairs"


class _Design:
    """Matches as arrays (game code, pair code a·P + b, rounds, side-A score), summed per cell on demand."""

    def __init__(self, matches: Sequence[MatchScore], models: Sequence[str], games: Sequence[str]) -> None:
        mi = {m: i for i, m in enumerate(models)}
        gi = {g: i for i, g in enumerate(games)}
        self.p, self.g = len(models), len(games)
        self.game = np.array([gi[m.game] for m in matches], dtype=np.int64)
        pair = np.array([mi[m.model_a] * self.p + mi[m.model_b] for m in matches], dtype=np.int64)
        self.rounds = np.array([m.rounds for m in matches], dtype=np.float64)
        self.score = np.array([m.score_a for m in matches], dtype=np.float64)
        cell = self.game * self.p * self.p + pair
        self._by_cell = np.argsort(cell, kind="stable")
        self._cells, self._starts = np.unique(cell[self._by_cell], return_index=True)

    def aggregate(self, counts: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``(B, G, P, P)`` rounds and side-A scores, match i weighted by ``counts[:, i]``."""
        b, size = counts.shape[0], self.g * self.p * self.p
        n, y = np.zeros((b, size)), np.zeros((b, size))
        if len(self.game):
            c = counts[:, self._by_cell]
            at = self._starts
            n[:, self._cells] = np.add.reduceat(c * self.rounds[self._by_cell][None, :], at, axis=1)
            y[:, self._cells] = np.add.reduceat(c * self.score[self._by_cell][None, :], at, axis=1)
        shape = (b, self.g, self.p, self.p)
        return n.reshape(shape), y.reshape(shape)


def fit_leaderboard(
    matches: Sequence[MatchScore],
    models: Sequence[str],
    games: Sequence[str],
    *,
    confidence: float,
    n_boot: int,
    seed: int,
) -> Leaderboard:
    """Fit the leaderboard of ``matches`` (see the module docstring).

    Args:
        matches: The finished matches to fit (any order: they are sorted here).
        models: Every model to rate, in the experiment's order (the tie-break).
        games: The experiment's games.
        confidence: Level of the difference intervals, in (0, 1).
        n_boot: Bootstrap resamples (at least 1).
        seed: Seed of the resamples.
    """
    real = sorted(matches, key=lambda m: (m.game, m.model_a, m.model_b, m.rounds, m.score_a))
    p, g = len(models), len(games)
    point = _Design(real, models, games)
    totals = np.bincount(point.game, weights=point.rounds, minlength=g)
    weights = totals.sum() / (g * np.maximum(totals, 1.0)) if totals.sum() > 0 else np.ones(g)
    n0, y0 = point.aggregate(np.ones((1, len(real))))
    x_hat = fit_bt(n0, y0, weights, RIDGE)
    ranked = sorted(range(p), key=lambda i: (-x_hat[0, i], i))
    boot = _Design(real + _pseudo_matches(real, [models[i] for i in ranked], games), models, games)
    rng = np.random.default_rng(seed)
    counts = np.zeros((n_boot, len(boot.game)))
    for gg in range(g):  # resample each game's matches (the cluster) with replacement, game by game
        idx = np.flatnonzero(boot.game == gg)
        k = len(idx)
        if k:
            draws = rng.integers(0, k, size=(n_boot, k)) + k * np.arange(n_boot)[:, None]
            counts[:, idx] = np.bincount(draws.ravel(), minlength=n_boot * k).reshape(n_boot, k)
    nb, yb = boot.aggregate(counts)
    reps = fit_bt(nb, yb, weights, RIDGE, x0=np.repeat(x_hat, n_boot, axis=0), tol=1e-6)
    theta, theta_b = x_hat[0, :p], reps[:, :p]
    anchor = list(models).index(ANCHOR_MODEL) if ANCHOR_MODEL in models else None
    ref = theta[anchor] if anchor is not None else theta.mean()
    ratings = {m: float(1000.0 + ELO_SCALE * (theta[i] - ref)) for i, m in enumerate(models)}
    alpha = (1.0 - confidence) / 2.0
    pairs = []
    for pos, (hi_i, lo_i) in enumerate(pairwise(ranked)):
        d = ELO_SCALE * (theta_b[:, hi_i] - theta_b[:, lo_i])
        q_lo, q_hi = np.quantile(d, [alpha, 1.0 - alpha])
        p_order = float(np.mean(d > 0) + 0.5 * np.mean(d == 0))
        pairs.append(
            AdjacentPair(
                position=pos + 1,
                upper=models[hi_i],
                lower=models[lo_i],
                diff=float(ELO_SCALE * (theta[hi_i] - theta[lo_i])),
                lo=float(q_lo),
                hi=float(q_hi),
                p_order=p_order,
                settled=bool(q_lo > 0),
            )
        )
    return Leaderboard(
        order=tuple(models[i] for i in ranked),
        ratings=ratings,
        pairs=tuple(pairs),
        confidence=confidence,
        n_matches=len(real),
        models=tuple(models),
        theta=theta.copy(),
        cov=np.atleast_2d(np.cov(theta_b, rowvar=False)) if n_boot > 1 else np.zeros((p, p)),
        rounds=float(np.mean([m.rounds for m in real])) if real else 1.0,
    )


def _pseudo_matches(
    real: Sequence[MatchScore], ranked: Sequence[str], games: Sequence[str]
) -> list[MatchScore]:
    """:data:`PRIOR_MATCHES` level matches per adjacent pair of ``ranked`` in each game that was played."""
    out = []
    for game in games:
        mine = [m for m in real if m.game == game]
        if not mine:
            continue
        length = round(sum(m.rounds for m in mine) / len(mine))
        out += [
            MatchScore(game, a, b, length, length / 2)
            for a, b in pairwise(ranked)
            for _ in range(PRIOR_MATCHES)
        ]
    return out
