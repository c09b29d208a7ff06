"""From per-cell values and bootstrap replicates to the long metrics table.

Shared by both definition sets: adds the composite, the cross-game value (``game = 'all'``: the unweighted
mean over the games where the metric is defined — the paper's headline numbers) and the percentile
intervals, then lays everything out in the long form ``model, game, definitions, metric, value, lo, hi, n,
wilson_lo, wilson_hi``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from metrics.errors import ParameterError
from metrics.intervals import percentile_interval

FloatArray = NDArray[np.float64]

LONG_COLUMNS: Final = (
    "model",
    "game",
    "definitions",
    "metric",
    "value",
    "lo",
    "hi",
    "n",
    "wilson_lo",
    "wilson_hi",
)
ALL_GAMES: Final = "all"
DEFAULT_WEIGHTS: Final = {"wr": 1.0 / 3.0, "csr": 1.0 / 3.0, "obr": 1.0 / 3.0}

#: Canonical metric order of the long table.
METRIC_ORDER: Final = (
    "wr", "orr", "csr", "csr_win", "csr_fix", "beta", "obr", "unforced_revision_rate", "overcorrection_harm",
    "round_wr", "match_wr", "ar", "ar_margin", "missed_wins", "composite", "rating",
)  # fmt: skip
#: Metrics that are counts, not rates: summed across games (not averaged), and without an interval.
COUNT_METRICS: Final = ("missed_wins",)


def normalise_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Validate composite weights (keys ``wr``, ``csr``, ``obr``; non-negative) and scale them to sum 1.

    Missing keys get weight 0 when at least one key is given.

    Raises:
        ParameterError: An unknown key, a negative or non-finite weight, or all weights zero.
    """
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
    if unknown:
        raise ParameterError(f"unknown composite weight(s) {', '.join(unknown)}; known: wr, csr, obr")
    out = {k: float(weights.get(k, 0.0)) for k in DEFAULT_WEIGHTS}
    if any(not np.isfinite(v) or v < 0 for v in out.values()):
        raise ParameterError(f"composite weights must be finite and >= 0, got {out}")
    total = sum(out.values())
    if total <= 0:
        raise ParameterError("composite weights are all zero")
    return {k: v / total for k, v in out.items()}


def composite(wr: FloatArray, csr: FloatArray, obr: FloatArray, weights: Mapping[str, float]) -> FloatArray:
    """Weighted mean of WR, CSR and 1 − OBR; undefined if a component with positive weight is undefined."""
    out = np.zeros(np.broadcast(wr, csr, obr).shape)
    for key, x in (("wr", wr), ("csr", csr), ("obr", 1.0 - obr)):
        if weights[key] > 0:
            out = out + weights[key] * x
    return out


@dataclass(frozen=True)
class Cells:
    """Per-(model, game) results of one definition set, before the composite and the cross-game mean.

    Attributes:
        models: Model of each cell.
        games: Game of each cell.
        metrics: Metric names (columns of the arrays); must include ``wr``, ``csr`` and ``obr``.
        values: ``(C, K)`` point values (NaN = undefined).
        ns: ``(C, K)`` sample sizes.
        reps: ``(C, B, K)`` bootstrap replicates, or None without a bootstrap.
        wilson_lo: ``(C, K)`` Wilson lower bounds (NaN where not a plain proportion).
        wilson_hi: ``(C, K)`` Wilson upper bounds.
    """

    models: list[str]
    games: list[str]
    metrics: tuple[str, ...]
    values: FloatArray
    ns: NDArray[np.int64]
    reps: FloatArray | None
    wilson_lo: FloatArray
    wilson_hi: FloatArray


def _with_composite(cells: Cells, weights: Mapping[str, float]) -> Cells:
    k = {m: i for i, m in enumerate(cells.metrics)}

    def comp(a: FloatArray) -> FloatArray:
        return composite(a[..., k["wr"]], a[..., k["csr"]], a[..., k["obr"]], weights)

    nan = np.full((len(cells.models), 1), np.nan)
    reps = None
    if cells.reps is not None:
        reps = np.concatenate([cells.reps, comp(cells.reps)[..., None]], axis=2)
    return Cells(
        models=cells.models,
        games=cells.games,
        metrics=(*cells.metrics, "composite"),
        values=np.concatenate([cells.values, comp(cells.values)[:, None]], axis=1),
        ns=np.concatenate([cells.ns, cells.ns[:, [k["wr"]]]], axis=1),
        reps=reps,
        wilson_lo=np.concatenate([cells.wilson_lo, nan], axis=1),
        wilson_hi=np.concatenate([cells.wilson_hi, nan], axis=1),
    )


def _cross_game(cells: Cells) -> Cells:
    """One cell per model: the mean over its games where each metric is defined (n summed over those).

    A count (:data:`COUNT_METRICS`) is summed over those games instead.
    """
    models = sorted(set(cells.models))
    n_k = len(cells.metrics)
    values = np.full((len(models), n_k), np.nan)
    ns = np.zeros((len(models), n_k), dtype=np.int64)
    reps = None if cells.reps is None else np.full((len(models), cells.reps.shape[1], n_k), np.nan)
    idx_of = pd.Series(range(len(cells.models))).groupby(np.asarray(cells.models)).indices
    counts_at = [k for k, m in enumerate(cells.metrics) if m in COUNT_METRICS]
    for j, model in enumerate(models):
        idx = np.asarray(idx_of[model])
        vals = cells.values[idx]
        defined = ~np.isnan(vals)
        count = defined.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            values[j] = np.where(count > 0, np.where(defined, vals, 0.0).sum(axis=0) / count, np.nan)
            if reps is not None and cells.reps is not None:
                r = np.where(defined[:, None, :], cells.reps[idx], 0.0).sum(axis=0) / count
                reps[j] = np.where(count > 0, r, np.nan)
        ns[j] = np.where(defined, cells.ns[idx], 0).sum(axis=0)
        for k in counts_at:
            values[j, k] = np.where(defined[:, k], vals[:, k], 0.0).sum() if count[k] > 0 else np.nan
    nan = np.full((len(models), n_k), np.nan)
    return Cells(models, [ALL_GAMES] * len(models), cells.metrics, values, ns, reps, nan, nan.copy())


def _long(cells: Cells, definitions: str) -> pd.DataFrame:
    n_c, n_k = cells.values.shape
    if cells.reps is not None and cells.reps.shape[1] > 0:
        lo, hi = percentile_interval(cells.reps, axis=1)
    else:
        lo = hi = np.full((n_c, n_k), np.nan)
    undefined = np.isnan(cells.values)
    return pd.DataFrame(
        {
            "model": np.repeat(np.asarray(cells.models, dtype=object), n_k),
            "game": np.repeat(np.asarray(cells.games, dtype=object), n_k),
            "definitions": definitions,
            "metric": np.tile(np.asarray(cells.metrics, dtype=object), n_c),
            "value": cells.values.ravel(),
            "lo": np.where(undefined, np.nan, lo).ravel(),
            "hi": np.where(undefined, np.nan, hi).ravel(),
            "n": np.where(undefined, 0, cells.ns).ravel().astype(np.int64),
            "wilson_lo": cells.wilson_lo.ravel(),
            "wilson_hi": cells.wilson_hi.ravel(),
        }
    )


def sort_long(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical row order: model, game (``all`` last), metric in :data:`METRIC_ORDER`."""
    order = {m: i for i, m in enumerate(METRIC_ORDER)}
    key = pd.DataFrame(
        {
            "model": df["model"].astype(str),
            "g_all": (df["game"] == ALL_GAMES).astype(int),
            "game": df["game"].astype(str),
            "metric": df["metric"].map(lambda m: order.get(str(m), len(order))),
            "mname": df["metric"].astype(str),
        }
    )
    idx = key.sort_values(["model", "g_all", "game", "metric", "mname"], kind="mergesort").index
    return df.loc[idx].reset_index(drop=True)


def cells_to_long(cells: Cells, definitions: str, weights: Mapping[str, float]) -> pd.DataFrame:
    """Add the composite and the cross-game rows, then lay the cells out in long form (sorted)."""
    if not cells.models:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in LONG_COLUMNS})
    full = _with_composite(cells, weights)
    out = pd.concat([_long(full, definitions), _long(_cross_game(full), definitions)], ignore_index=True)
    return sort_long(out)
