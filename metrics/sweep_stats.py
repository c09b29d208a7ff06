"""The ordinary metrics and ratings of every sweep point, and their long table.

Every point has its own fingerprints, so nothing pools across points: each point's frames are cut out
(:meth:`~metrics.sweep_points.Sweep.frames_at`) and given to the existing code,
:func:`metrics.compute.compute_metrics` and :func:`metrics.ratings.compute_ratings`, with the report's
bootstrap size and seed (the same seed at every point, as a report of that point alone would use).

The long table (:func:`sweep_long`) has one row per (point, model, game, metric) for every (model, game,
metric) seen at any point: where a model did not play, or a metric is undefined, the value is NaN with
n = 0 (shown as —), never 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from metrics.aggregate import ALL_GAMES, METRIC_ORDER
from metrics.compute import compute_metrics
from metrics.frames import StoreFrames
from metrics.ratings import Ratings, compute_ratings
from metrics.sweep_points import Sweep, SweepPoint, values_columns

#: Metrics drawn against the parameter (those a definition set lacks are skipped).
PLOT_METRICS: Final = ("wr", "csr", "orr", "obr", "beta", "composite", "ar", "rating")
#: Columns of the long table after the point's own columns (``point, base, label``, one per path).
LONG_TAIL: Final = ("model", "game", "metric", "value", "lo", "hi", "n")


@dataclass(frozen=True)
class PointResult:
    """One point's frames, metrics and ratings.

    Attributes:
        point: The point.
        frames: Its frames (finished and voided matches).
        long: :func:`~metrics.compute.compute_metrics`'s long table (ratings included).
        ratings: Its Bradley–Terry fit.
    """

    point: SweepPoint
    frames: StoreFrames
    long: pd.DataFrame
    ratings: Ratings


def point_results(
    frames: StoreFrames,
    sweep: Sweep,
    *,
    definitions: str = "stratagem",
    weights: Mapping[str, float] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    allow_mixed: bool = False,
    answers: pd.DataFrame | None = None,
) -> list[PointResult]:
    """Metrics and ratings of every point, in point order.

    Args:
        frames: The whole store's frames.
        sweep: Its sweep (:func:`metrics.sweep_points.sweep_of`).
        definitions: ``stratagem`` or ``advgamebench``.
        weights: Composite weights.
        n_boot: Bootstrap resamples of the intervals.
        seed: Bootstrap seed.
        allow_mixed: Pool different fingerprints within a cell of one point.
        answers: The answer-rate decisions of the store (:attr:`metrics.answer_rate.AnswerTable.decisions`),
            to add ``ar``; each point keeps the decisions of its own matches.

    Raises:
        MixedFingerprintError: A cell of one point mixes fingerprints and ``allow_mixed`` is false.
    """
    out = []
    for point in sweep.points:
        pf = sweep.frames_at(frames, point)
        ratings = compute_ratings(pf, n_boot=n_boot, seed=seed)
        long = compute_metrics(
            pf, definitions, weights, n_boot, seed, allow_mixed=allow_mixed, ratings=ratings, answers=answers
        )
        out.append(PointResult(point, pf, long, ratings))
    return out


def sweep_long(sweep: Sweep, results: Sequence[PointResult]) -> pd.DataFrame:
    """The long table of every point: ``point, base, label, <paths…>, model, game, metric, value, lo, hi, n``.

    Rows: every (model, game, metric) seen at some point, at every point (NaN and n = 0 where a point has
    none); sorted by point, model, game (``all`` last), metric in :data:`~metrics.aggregate.METRIC_ORDER`.
    """
    parts = [r.long.assign(point=r.point.index) for r in results if not r.long.empty]
    head = values_columns(sweep)
    cols = [*head.columns, *LONG_TAIL]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    long = pd.concat(parts, ignore_index=True)
    keys = long[["model", "game", "metric"]].astype(str).drop_duplicates()
    grid = head[["point"]].merge(keys, how="cross")
    got = long[["point", "model", "game", "metric", "value", "lo", "hi", "n"]].astype(
        {"model": str, "game": str, "metric": str}
    )
    full = grid.merge(got, on=["point", "model", "game", "metric"], how="left")
    undefined = full["value"].isna()
    full["n"] = np.where(undefined, 0, full["n"].fillna(0)).astype(np.int64)
    full.loc[undefined, ["lo", "hi"]] = np.nan
    order = {m: i for i, m in enumerate(METRIC_ORDER)}
    full = full.assign(
        _g=(full["game"] == ALL_GAMES).astype(int), _m=full["metric"].map(lambda m: order.get(m, len(order)))
    )
    full = full.sort_values(["point", "model", "_g", "game", "_m", "metric"], kind="mergesort")
    full = full.drop(columns=["_g", "_m"]).merge(head, on="point", how="left")
    return full[cols].reset_index(drop=True)


def plot_game(sweep: Sweep) -> str:
    """The game the sweep figures show: the one game every varied path belongs to, else ``all``.

    A budget of battle card changes nothing in the other games, whose unchanged values would only dilute
    a mean over games; a protocol setting changes every game, so the mean is shown.
    """
    varied = sweep.varied
    games = sweep.games_swept()
    if len(games) == 1 and all(p.startswith(f"games.{games[0]}.") for p in varied):
        return games[0]
    return ALL_GAMES


def plot_metrics(long: pd.DataFrame) -> list[str]:
    """The :data:`PLOT_METRICS` the long table has."""
    have = set(long["metric"].astype(str))
    return [m for m in PLOT_METRICS if m in have]
