"""Which model pairs the next adaptive batch plays: the units that most shrink the open questions.

The open questions are the leaderboard's unsettled adjacent pairs: contrasts ``c = e_upper − e_lower`` of
the strengths θ. Their uncertainty is the bootstrap covariance ``Σ`` of θ
(:class:`~harness.runner.adaptive_fit.Leaderboard`), which already holds what the matches so far say,
clustering and all. One more side-swapped pair of matches of models a and b (in every game) adds, under the
Bradley–Terry model, the information ``w · u uᵀ`` with ``u = e_a − e_b`` and
``w = 2 · games · rounds · p (1 − p)``, ``p`` the fitted chance that a beats b in a round; by
Sherman–Morrison it shrinks the variance of ``c`` by ``(cᵀ Σ u)² / (1/w + uᵀ Σ u)``.

A unit's **gain** is that shrinkage summed over the open contrasts, each relative to its variance (so each
open question counts alike, whatever its scale). The batch is chosen greedily: the unit with the largest
gain, then Σ updated as if it had been played, then the next, until the batch holds one unit per open
pair (at most :data:`~harness.runner.adaptive_plan.MAX_BATCH_PAIRS`). A direct match of the two models of
an open pair is often the best unit, but a match against a common opponent can serve two open pairs at
once, and the bootstrap's Σ knows when one pair's matches say more than another's. Ties go to the pair
that comes first in the experiment's order; everything is a function of the leaderboard, so of the stored
matches and the seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from harness.runner.adaptive_fit import AdjacentPair, Leaderboard

#: Gains are compared after rounding to this many digits (so float noise never decides a tie).
_DIGITS = 9


@dataclass(frozen=True)
class Pick:
    """One unit chosen for the next batch.

    Attributes:
        pair: The model pair, in the experiment's order.
        gain: Relative variance shrinkage of the open contrasts it brings (summed).
        serves: The open adjacent pairs it shrinks most, with their share of the gain (largest first).
    """

    pair: tuple[str, str]
    gain: float
    serves: tuple[tuple[AdjacentPair, float], ...]


def choose_units(
    board: Leaderboard, pairs: Sequence[tuple[str, str]], n_games: int, max_units: int
) -> list[Pick]:
    """The units of the next batch (see the module docstring).

    Args:
        board: The leaderboard of the matches so far.
        pairs: The candidate model pairs (the round robin's, in the experiment's order).
        n_games: Games a unit is played in.
        max_units: Units at most.
    """
    open_pairs = [p for p in board.pairs if not p.settled]
    if not open_pairs or not pairs:
        return []
    index = {m: i for i, m in enumerate(board.models)}
    k = len(board.models)
    sigma = np.array(board.cov, dtype=np.float64, copy=True)
    contrasts = np.zeros((len(open_pairs), k))
    for row, adj in enumerate(open_pairs):
        contrasts[row, index[adj.upper]] = 1.0
        contrasts[row, index[adj.lower]] = -1.0
    units = np.zeros((len(pairs), k))
    weight = np.zeros(len(pairs))
    for col, (a, b) in enumerate(pairs):
        ia, ib = index[a], index[b]
        units[col, ia], units[col, ib] = 1.0, -1.0
        pr = float(expit(board.theta[ia] - board.theta[ib]))
        weight[col] = 2.0 * n_games * board.rounds * max(pr * (1.0 - pr), 1e-6)
    picks: list[Pick] = []
    for _ in range(min(max_units, len(open_pairs))):
        cs = contrasts @ sigma  # (open, k)
        var_c = np.maximum(np.einsum("ok,ok->o", cs, contrasts), 1e-12)
        us = units @ sigma  # (pairs, k)
        var_u = np.einsum("pk,pk->p", us, units)
        cross = cs @ units.T  # (open, pairs): cᵀ Σ u
        shrink = cross**2 / (1.0 / weight + var_u)[None, :] / var_c[:, None]
        gain = shrink.sum(axis=0)
        best = int(np.lexsort((np.arange(len(pairs)), -np.round(gain, _DIGITS)))[0])
        share = shrink[:, best] / max(float(gain[best]), 1e-300)
        order = np.argsort(-share, kind="stable")
        serves = tuple((open_pairs[i], float(share[i])) for i in order if share[i] >= 0.05)
        picks.append(Pick(pairs[best], float(gain[best]), serves))
        su = us[best]
        sigma = sigma - np.outer(su, su) / (1.0 / weight[best] + var_u[best])
    return picks
