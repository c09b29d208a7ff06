"""Stratagem metrics: process metrics, statistics, ratings and reports of stored results.

Definitions are fixed in ``shared/design/metrics.md``; the package reads the store documented in
``docs/records.md`` and never imports ``harness``. Everything after loading is a pure function of DataFrames.

Public API (stable; the CI gate and the export command use it):

- :func:`load_store` ``(path, *, extra=None, everything=False) -> StoreFrames`` — the ``matches``, ``rounds``
  and ``decisions`` tables (voided matches included; :meth:`StoreFrames.finished` keeps the finished ones,
  which is what metrics count), read column by column straight into numpy and Arrow: every column of
  ``matches``, the required columns of the others; the long texts (plans, summaries, replies) are read on
  demand by :meth:`StoreFrames.with_columns`. :meth:`StoreFrames.from_frames` builds frames in memory.
- :func:`compute_metrics` ``(frames, definitions="stratagem", weights=None, n_boot=1000, seed=0, *,
  allow_mixed=False, ratings=None, with_ratings=True, answers=None) -> DataFrame`` — the long table
  ``model, game, definitions, metric, value, lo, hi, n, wilson_lo, wilson_hi`` (``game = 'all'`` = mean over
  games; metric names ``wr, orr, csr, csr_win, csr_fix, beta, obr, unforced_revision_rate,
  overcorrection_harm, round_wr, match_wr, composite, rating``, plus ``ar, ar_margin, missed_wins`` when
  ``answers=`` is given; ``advgamebench`` has ``wr, orr, csr, beta, obr, composite, rating``).
  ``lo``/``hi``: 95% match-clustered bootstrap percentile interval; ``wilson_lo``/``wilson_hi``: Wilson
  interval of plain per-game proportions. Undefined → NaN with n = 0 (``advgamebench`` reproduces the
  original's zeros). Pass ``ratings=compute_ratings(...)`` to reuse one
  rating fit for both definition sets.
- :func:`match_stats` ``(frames) -> DataFrame`` — per (model, game, match) sufficient statistics of the
  ``stratagem`` metrics (for paired or sequential tests).
- :func:`answer_decisions` ``(frames, *, sims=64, store=None, workers=None) -> AnswerTable`` — the answer
  rate's per-decision table (beatable by a seeded best-response search, answered by the submission),
  cached in the store's derived table ``derived_answer_rate``; pass its ``decisions`` to
  ``compute_metrics(..., answers=...)`` to add ``ar, ar_margin, missed_wins`` (``stratagem`` only).
- :func:`compute_ratings` ``(frames, n_boot=1000, seed=0) -> Ratings`` — Bradley–Terry with a side term,
  Elo-like scale, ``bot/random`` = 1000 (else mean = 1000, stated in ``Ratings.anchors``/``notes()``).
- :func:`compute_correlations` ``(long) -> DataFrame`` — Pearson (r, p, Fisher-z CI, n) and Spearman (ρ, p)
  across models for every metric pair, per game and ``all``.
- :func:`failure_table`, :func:`cost_per_match`, :func:`failure_examples` — failures, tokens and cost.
- :func:`check_fingerprints` ``(frames, allow_mixed=False)`` — raises :class:`MixedFingerprintError` (a
  ``UserError``) when a (model, game) cell mixes fingerprints.
- :func:`metrics.compat_export.export_advgamebench` ``(store_path, out_dir) -> list[Path]`` — the original
  evaluator's CSV layout, one tree per game.
- :func:`metrics.report.write_report` — metrics.csv, leaderboard, tables, plots and report.html.

Statistics: one bootstrap plan per (frames, seed, n_boot) resamples each game's finished matches with
replacement (:mod:`metrics.resampling`); every metric, rating and cost interval reads the same resamples.
Same store + same seed → byte-identical ``metrics.csv``. Model names in exports are made file-safe by
:func:`metrics.compat_export.file_safe_name` (``/`` → ``__``, other characters outside ``[A-Za-z0-9._-]`` →
``_``).

Example::

    from metrics import load_store, compute_metrics
    frames = load_store("results/run.sqlite")
    long = compute_metrics(frames, definitions="stratagem", n_boot=1000, seed=0)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from metrics.answer_rate import AnswerTable, answer_decisions
    from metrics.compute import DEFINITIONS, compute_metrics
    from metrics.correlations import compute_correlations, correlate
    from metrics.definitions_stratagem import match_stats
    from metrics.errors import MixedFingerprintError, StoreError
    from metrics.failures import cost_per_match, failure_examples, failure_table
    from metrics.load import StoreFrames, check_fingerprints, load_store, own_turns
    from metrics.ratings import Ratings, compute_ratings

# Imported on first use: pandas and scipy take seconds to import, and light users of the package (the
# sequential test of the CI gate, the CLI's start-up) must not pay for them.
_LAZY = {
    "AnswerTable": "metrics.answer_rate",
    "answer_decisions": "metrics.answer_rate",
    "DEFINITIONS": "metrics.compute",
    "compute_metrics": "metrics.compute",
    "compute_correlations": "metrics.correlations",
    "correlate": "metrics.correlations",
    "match_stats": "metrics.definitions_stratagem",
    "MixedFingerprintError": "metrics.errors",
    "StoreError": "metrics.errors",
    "cost_per_match": "metrics.failures",
    "failure_examples": "metrics.failures",
    "failure_table": "metrics.failures",
    "StoreFrames": "metrics.load",
    "check_fingerprints": "metrics.load",
    "load_store": "metrics.load",
    "own_turns": "metrics.load",
    "Ratings": "metrics.ratings",
    "compute_ratings": "metrics.ratings",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'metrics' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "DEFINITIONS",
    "AnswerTable",
    "MixedFingerprintError",
    "Ratings",
    "StoreError",
    "StoreFrames",
    "answer_decisions",
    "check_fingerprints",
    "compute_correlations",
    "compute_metrics",
    "compute_ratings",
    "correlate",
    "cost_per_match",
    "failure_examples",
    "failure_table",
    "load_store",
    "match_stats",
    "own_turns",
]
