"""The one entry point most callers need: the long metrics table of a store's finished matches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

from metrics.aggregate import LONG_COLUMNS, cells_to_long, normalise_weights, sort_long
from metrics.blas_threads import blas_single
from metrics.definitions_advgamebench import advgamebench_cells
from metrics.definitions_answer import answer_columns
from metrics.definitions_stratagem import stratagem_cells
from metrics.errors import ParameterError
from metrics.load import StoreFrames, check_fingerprints
from metrics.ratings import Ratings, compute_ratings, ratings_long

DEFINITIONS: Final = ("stratagem", "advgamebench")


@blas_single
def compute_metrics(
    frames: StoreFrames,
    definitions: str = "stratagem",
    weights: Mapping[str, float] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    *,
    allow_mixed: bool = False,
    ratings: Ratings | None = None,
    with_ratings: bool = True,
    answers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compute every metric of every (model, game) cell and of every model across games.

    Args:
        frames: Store frames (only finished matches count).
        definitions: ``stratagem`` (default) or ``advgamebench``.
        weights: Composite weights ``{"wr", "csr", "obr"}`` (default 1/3 each; scaled to sum 1).
        n_boot: Bootstrap resamples for the intervals (0: no intervals).
        seed: Bootstrap seed (same store + seed → identical numbers).
        allow_mixed: Pool matches with different fingerprints within a cell.
        ratings: Precomputed :func:`metrics.ratings.compute_ratings` result to reuse (ratings do not depend on
            the definition set), or None to fit them here.
        with_ratings: Include the ``rating`` rows.
        answers: Per-decision answer-rate results (:func:`metrics.answer_rate.answer_decisions`, its
            ``decisions``) to add ``ar``, ``ar_margin`` and ``missed_wins``; ``stratagem`` definitions only
            (the ``advgamebench`` set ignores it and stays the released evaluator's).

    Returns:
        The long table: ``model, game, definitions, metric, value, lo, hi, n, wilson_lo, wilson_hi``
        (``game = 'all'`` for the cross-game value; undefined values are NaN with n = 0).

    Raises:
        ParameterError: Unknown definition set, bad weights, negative ``n_boot`` or seed.
        MixedFingerprintError: A cell mixes fingerprints and ``allow_mixed`` is false.
    """
    if definitions not in DEFINITIONS:
        raise ParameterError(f"unknown definitions {definitions!r}; known: {', '.join(DEFINITIONS)}")
    if n_boot < 0:
        raise ParameterError(f"n_boot must be >= 0, got {n_boot}")
    if seed < 0:
        raise ParameterError(f"seed must be >= 0, got {seed}")
    w = normalise_weights(weights)
    check_fingerprints(frames, allow_mixed)
    if definitions == "stratagem":
        cells = stratagem_cells(frames, n_boot, seed)
        if answers is not None:
            cells = answer_columns(frames, answers, cells, n_boot, seed)
    else:
        cells = advgamebench_cells(frames, n_boot, seed)
    long = cells_to_long(cells, definitions, w)
    if with_ratings:
        r = ratings if ratings is not None else compute_ratings(frames, n_boot=n_boot, seed=seed)
        if not r.table.empty:
            long = sort_long(pd.concat([long, ratings_long(r, definitions)], ignore_index=True))
    return long[list(LONG_COLUMNS)]
