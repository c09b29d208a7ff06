"""The tables of a parameter sweep: :func:`sweep_tables` (``None`` for a store that is not a sweep).

They are computed from the whole store, point by point (:mod:`metrics.sweep_stats`), and rendered by
:mod:`metrics.sweep_report` (md, csv, PNG) and :mod:`metrics.report.sweep_view` (``report.html``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metrics.frames import StoreFrames
from metrics.load import load_store
from metrics.sweep_balance import AUDIT_SEED, AUDIT_SIZE, GameBuilder, side_balance
from metrics.sweep_points import Sweep, sweep_of, values_columns
from metrics.sweep_ranks import TAU_BOOT, rank_flips, rank_stability
from metrics.sweep_stats import plot_game, plot_metrics, point_results, sweep_long

__all__ = ["NO_FLIPS", "SweepTables", "sweep_tables"]

NO_FLIPS = (
    "No rank flips: no pair of models reverses its base-point order at another point with separated 95% "
    "rating intervals at both points."
)


@dataclass(frozen=True)
class SweepTables:
    """Everything the sweep section shows.

    Attributes:
        sweep: The sweep.
        points: One row per point: values, finished and voided matches, fingerprints.
        metrics: The long table of every point (:func:`metrics.sweep_stats.sweep_long`).
        stability: Kendall τ per point (:func:`metrics.sweep_ranks.rank_stability`).
        flips: Rank flips (:func:`metrics.sweep_ranks.rank_flips`).
        balance: Side balance per point and game (:func:`metrics.sweep_balance.side_balance`).
        game: The game the figures and the md tables show.
        metric_names: The metrics drawn.
        notes: Method notes for the page and the md files.
        audited: Whether the audit ran.
    """

    sweep: Sweep
    points: pd.DataFrame
    metrics: pd.DataFrame
    stability: pd.DataFrame
    flips: pd.DataFrame
    balance: pd.DataFrame
    game: str
    metric_names: list[str]
    notes: list[str] = field(default_factory=list)
    audited: bool = False


def _points_table(sweep: Sweep) -> pd.DataFrame:
    out = values_columns(sweep)
    by = {p.index: p for p in sweep.points}
    out["matches_finished"] = [by[i].n_finished for i in out["point"]]
    out["matches_voided"] = [by[i].n_voided for i in out["point"]]
    out["fingerprints"] = [len(by[i].fingerprints) for i in out["point"]]
    return out


def sweep_tables(
    store: StoreFrames | Path | str,
    *,
    definitions: str = "stratagem",
    weights: Mapping[str, float] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    tau_boot: int = TAU_BOOT,
    allow_mixed: bool = False,
    answers: pd.DataFrame | None = None,
    audit: bool = False,
    audit_size: str = AUDIT_SIZE,
    audit_seed: int = AUDIT_SEED,
    build: GameBuilder | None = None,
) -> SweepTables | None:
    """The sweep's tables, or ``None`` when the store is not a sweep.

    Args:
        store: A store path or loaded frames (the whole store).
        definitions: Metric definitions.
        weights: Composite weights.
        n_boot: Bootstrap resamples of the metrics, ratings and side-balance intervals.
        seed: Bootstrap seed (of every interval, τ's included).
        tau_boot: Resamples of τ's interval (each refits every point's ratings).
        allow_mixed: Pool fingerprints within a cell of one point.
        answers: The store's answer-rate decisions, to add ``ar``.
        audit: Run the audit of every swept game at every point (slow).
        audit_size: Its size.
        audit_seed: Its seed.
        build: Builds a game for the audit from ``(name, ruleset, params_json)`` (default: the registry).
    """
    frames = store if isinstance(store, StoreFrames) else load_store(store)
    sweep = sweep_of(frames)
    if sweep is None:
        return None
    results = point_results(
        frames, sweep, definitions=definitions, weights=weights, n_boot=n_boot, seed=seed,
        allow_mixed=allow_mixed, answers=answers,
    )  # fmt: skip
    long = sweep_long(sweep, results)
    stability = rank_stability(sweep, results, n_boot=tau_boot, seed=seed)
    flips = rank_flips(sweep, results)
    balance = side_balance(
        sweep, results, n_boot=n_boot, seed=seed, audit=audit, audit_size=audit_size, audit_seed=audit_seed,
        build=build,
    )  # fmt: skip
    game = plot_game(sweep)
    audited = audit and bool(sweep.games_swept())
    notes = [
        sweep.note(),
        *sweep.notes,
        "Every point has its own fingerprints: its metrics and ratings are computed from its own matches "
        "only, nothing pools across points.",
        f"Intervals: 95% percentile bootstrap over {n_boot} resamples of each point's matches (seed {seed}); "
        "undefined values are — with n = 0.",
        f"Figures and md tables show game {game}"
        + (" (the game the sweep varies)." if game != "all" else " (the mean over games).")
        + " sweep_metrics.csv has every game.",
        f"Rank stability: Kendall τ-b between each point's cross-game ratings and the base point's, over the "
        f"models rated at both; 95% CI from {tau_boot} resamples of matches within each (game, side-A "
        "model, side-B model) cell, each point resampled independently and its ratings refitted. At the base "
        "point τ = 1; its interval (two independent resamples of the base) is the noise floor.",
        "Ratings are anchored point by point (bot/random = 1000 where it plays, else the mean of the point's "
        "rated models at 1000): compare orders and gaps across points, not levels.",
        "Side balance: side A's share of the rounds (a round without a winner counts ½); 0.5 is fair.",
    ]
    if audit and not sweep.games_swept():
        notes.append(
            "No audit: the sweep varies no game parameter or ruleset, and the audit depends on those only."
        )
    elif audited:
        notes.append(
            f"Audit (docs/audit.md) of {', '.join(sweep.games_swept())} at every point: size {audit_size}, "
            f"seed {audit_seed}; a_win_equiv = A's equilibrium win-equivalent over the plans found."
        )
    return SweepTables(
        sweep, _points_table(sweep), long, stability, flips, balance, game, plot_metrics(long), notes, audited
    )
