"""The match-clustered bootstrap shared by every metric and by the ratings.

One resampling plan per (store, seed, number of resamples): for each game, ``n_boot`` resamples of that
game's finished matches drawn uniformly with replacement (the match is the cluster; games are strata). Every
consumer — the ``stratagem`` cells, the ``advgamebench`` groups, the Bradley–Terry refits — reads its
statistics through the same match counts, so a replicate is one coherent alternative data set (a model's
metrics and its rating move together) and the random draws are made once. A model that played few of a
game's matches gets a varying number of them per replicate, as in any cluster bootstrap of the whole design.

The plan is cached on the :class:`~metrics.frames.StoreFrames` object, so computing both definition sets and
the ratings draws the matches once. Same store + same seed → identical counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from metrics.frames import StoreFrames
from metrics.intervals import stable_rng
from metrics.turns import sides_of

IntArray = NDArray[np.int64]


def fast_counts(rng: np.random.Generator, n_clusters: int, n_boot: int) -> NDArray[np.float32]:
    """``(n_clusters, n_boot)`` bootstrap counts: how often each cluster is drawn in each resample.

    Drawn resample by resample (cache-friendly counting) and stored cluster-major as float32 (exact for counts
    below 2²⁴), so that selecting a cell's matches copies contiguous rows and feeds BLAS directly.
    """
    out = np.zeros((n_clusters, n_boot), dtype=np.float32)
    if n_clusters == 0 or n_boot == 0:
        return out
    chunk = 32  # resamples per block: the transposed write stays cache-friendly
    buf = np.empty((chunk, n_clusters), dtype=np.float32)
    idx_type = np.uint32 if n_clusters < 2**32 else np.uint64
    for b0 in range(0, n_boot, chunk):
        b1 = min(n_boot, b0 + chunk)
        for r in range(b1 - b0):
            buf[r] = np.bincount(
                rng.integers(0, n_clusters, n_clusters, dtype=idx_type), minlength=n_clusters
            )
        out[:, b0:b1] = buf[: b1 - b0].T
    return out


@dataclass(frozen=True)
class MatchResamples:
    """Per-game bootstrap counts of the finished matches.

    Attributes:
        n_boot: Number of resamples.
        counts: Per game code, ``(M_g, n_boot)`` counts of the game's matches (in match-index order).
        pos_in_game: Per match index, its column in its game's counts.
    """

    n_boot: int
    counts: list[NDArray[np.float32]]
    pos_in_game: IntArray

    def rows(self, game: int, matches: IntArray) -> NDArray[np.float32]:
        """``(len(matches), n_boot)`` counts of the given matches (all of game ``game``)."""
        return self.counts[game][self.pos_in_game[matches]]


def match_resamples(frames: StoreFrames, n_boot: int, seed: int) -> MatchResamples:
    """The resampling plan of ``frames`` (computed once per frames object, seed and ``n_boot``)."""
    cache: dict[tuple[int, int], MatchResamples] = frames.derived.setdefault("resamples", {})
    key = (n_boot, seed)
    if key not in cache:
        sr = sides_of(frames)
        pos = np.zeros(sr.n_matches, dtype=np.int64)
        counts = []
        for g, name in enumerate(sr.games):
            ms = np.flatnonzero(sr.m_game == g)
            pos[ms] = np.arange(len(ms))
            counts.append(fast_counts(stable_rng(seed, "matches", str(name)), len(ms), n_boot))
        cache.clear()  # keep one plan alive at a time: they are large
        cache[key] = MatchResamples(n_boot, counts, pos)
    return cache[key]
