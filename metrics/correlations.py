"""Correlations of metrics across models, per game and overall (``game = 'all'``).

For every pair of metrics: Pearson r with its two-sided p-value (Student t, as scipy's), a 95% interval by
Fisher's z (needs n ≥ 4), n, and Spearman ρ with its p-value. Models with an undefined value of either metric
are left out of that pair. With n < 3 or a metric without variance the correlation is undefined (NaN), never
0.
"""

from __future__ import annotations

import itertools
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import stdtr

from metrics.aggregate import COUNT_METRICS, METRIC_ORDER
from metrics.intervals import Z95

CORR_COLUMNS: Final = (
    "game", "definitions", "metric_x", "metric_y", "n", "pearson_r", "pearson_p", "pearson_lo", "pearson_hi",
    "spearman_rho", "spearman_p",
)  # fmt: skip


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    xm, ym = x - x.mean(), y - y.mean()
    r = float(np.dot(xm, ym) / np.sqrt(np.dot(xm, xm) * np.dot(ym, ym)))
    return max(-1.0, min(1.0, r))


def _p_value(r: float, n: int) -> float:
    if abs(r) >= 1.0:
        return 0.0
    t = r * np.sqrt((n - 2) / (1.0 - r * r))
    # Student t survival function, as scipy.stats.t.sf(|t|, n - 2) computes it (stdtr(df, -x)), without
    # importing scipy.stats (a second of start-up).
    return float(2.0 * stdtr(float(n - 2), -abs(t)))


def rankdata(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Average ranks (1-based; ties share the mean of their ranks), as ``scipy.stats.rankdata``."""
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    first = np.concatenate([[True], sorted_x[1:] != sorted_x[:-1]])
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    ends = np.concatenate([starts[1:], [len(x)]])
    out = np.empty(len(x))
    out[order] = 0.5 * (starts[group] + ends[group] + 1)
    return out


def correlate(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Pearson and Spearman correlation of two equally long vectors (NaN pairs dropped).

    Returns:
        ``n, pearson_r, pearson_p, pearson_lo, pearson_hi, spearman_rho, spearman_p`` (NaN when undefined).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    n = len(x)
    out = {"n": float(n)} | dict.fromkeys(CORR_COLUMNS[5:], float("nan"))
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return out
    # The same statistics as scipy.stats.pearsonr / spearmanr (two-sided; Student t with n − 2 degrees of
    # freedom, which equals pearsonr's exact beta form), computed directly: scipy's wrappers cost ~1 ms each.
    r = _pearson(x, y)
    rho = _pearson(rankdata(x), rankdata(y))
    out |= {"pearson_r": r, "pearson_p": _p_value(r, n)}
    out |= {"spearman_rho": rho, "spearman_p": _p_value(rho, n)}
    if n >= 4:
        with np.errstate(divide="ignore"):
            z = float(np.arctanh(np.clip(r, -1.0, 1.0)))
        half = Z95 / np.sqrt(n - 3)
        out |= {"pearson_lo": float(np.tanh(z - half)), "pearson_hi": float(np.tanh(z + half))}
    return out


def compute_correlations(long: pd.DataFrame, metrics: list[str] | None = None) -> pd.DataFrame:
    """All pairwise correlations across models in a long metrics table, per game and for ``all``.

    Args:
        long: The long table of :func:`metrics.compute_metrics` (one definition set).
        metrics: The metrics to correlate (default: every rate present, in canonical order; counts such as
            ``missed_wins`` scale with the number of matches played and are left out).
    """
    if long.empty:
        return pd.DataFrame({c: [] for c in CORR_COLUMNS})
    present = set(long["metric"])
    names = metrics or [m for m in METRIC_ORDER if m in present and m not in COUNT_METRICS]
    definitions = str(long["definitions"].iloc[0])
    games = [*sorted(g for g in long["game"].unique() if g != "all"), "all"]
    records: list[dict[str, object]] = []
    for game in games:
        wide = long.loc[long["game"] == game].pivot(index="model", columns="metric", values="value")
        for mx, my in itertools.combinations(names, 2):
            if mx not in wide.columns or my not in wide.columns:
                continue
            res = correlate(wide[mx].to_numpy(dtype=float), wide[my].to_numpy(dtype=float))
            records.append({"game": game, "definitions": definitions, "metric_x": mx, "metric_y": my} | res)
    df = pd.DataFrame(records, columns=list(CORR_COLUMNS))
    df["n"] = df["n"].astype(np.int64)
    return df
