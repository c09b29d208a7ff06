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
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from metrics.frames import StoreFrames
from metrics.intervals import stable_rng
from metrics.turns import sides_of

IntArray = NDArray[np.int64]
#: Resamples counted per block before the block is written out transposed.
_BLOCK: Final = 128


def draw_counts(rng: np.random.Generator, n_clusters: int, n_boot: int) -> NDArray[np.unsignedinteger[Any]]:
    """``(n_clusters, n_boot)`` bootstrap counts: how often each cluster is drawn in each resample.

    Resample ``b`` draws ``n_clusters`` cluster indices uniformly with replacement (``rng.integers``, one
    call per resample, in resample order: the same numbers whatever the storage). Stored cluster-major as
    ``uint8`` (1 byte a count; ``uint16`` or wider when some count exceeds 255), so that a cell's matches are
    contiguous rows; :meth:`MatchResamples.rows` hands them out as float32.
    """
    out: NDArray[np.unsignedinteger[Any]] = np.zeros((n_clusters, n_boot), dtype=np.uint8)
    if n_clusters == 0 or n_boot == 0:
        return out
    idx_type = np.uint32 if n_clusters < 2**32 else np.uint64
    # Each resample's counts go straight into a small buffer of the storage type (narrowing them before the
    # transposed write moves 8x fewer bytes than an int64 buffer would).
    buf = np.empty((_BLOCK, n_clusters), dtype=out.dtype)
    for b0 in range(0, n_boot, _BLOCK):
        b1 = min(n_boot, b0 + _BLOCK)
        for r in range(b1 - b0):
            drawn = np.bincount(rng.integers(0, n_clusters, n_clusters, dtype=idx_type), minlength=n_clusters)
            top = int(drawn.max())
            if top > np.iinfo(buf.dtype).max:  # never with real data; kept exact anyway
                wider = np.min_scalar_type(max(top, n_clusters))
                out, buf = out.astype(wider), buf.astype(wider)
            buf[r] = drawn
        out[:, b0:b1] = buf[: b1 - b0].T
    return out


def fast_counts(rng: np.random.Generator, n_clusters: int, n_boot: int) -> NDArray[np.float32]:
    """:func:`draw_counts` as float32 (exact for counts below 2²⁴)."""
    return draw_counts(rng, n_clusters, n_boot).astype(np.float32)


@dataclass(frozen=True)
class MatchResamples:
    """Per-game bootstrap counts of the finished matches.

    Attributes:
        n_boot: Number of resamples.
        counts: Per game code, ``(M_g, n_boot)`` counts of the game's matches (in match-index order; a small
            unsigned integer type, see :func:`draw_counts`).
        pos_in_game: Per match index, its column in its game's counts.
    """

    n_boot: int
    counts: list[NDArray[np.unsignedinteger[Any]]]
    pos_in_game: IntArray

    def rows(self, game: int, matches: IntArray) -> NDArray[np.float32]:
        """``(len(matches), n_boot)`` float32 counts of the given matches (all of game ``game``)."""
        return self.counts[game][self.pos_in_game[matches]].astype(np.float32)


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
            counts.append(draw_counts(stable_rng(seed, "matches", str(name)), len(ms), n_boot))
        cache.clear()  # keep one plan alive at a time: they are large
        cache[key] = MatchResamples(n_boot, counts, pos)
    return cache[key]
