"""Sweep figures as PNG bytes (matplotlib's Agg canvas, no pyplot, no timestamp: same data, same bytes).

The x axis. With one varied path whose values are all numbers, the points sit at their values. Otherwise
(a ruleset, a feedback mode, or a grid of several paths) they sit at equal steps in the sweep's order,
labelled with their values (``10, 3`` for ``budget_a=10, rounds=3``; the axis names the paths), so a grid
reads as the sweep enumerates it: the last path changing fastest.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import NDArray

from metrics.sweep_points import Sweep, show_value

_DPI = 110
_LABELS = {
    "wr": "WR", "csr": "CSR", "orr": "ORR", "obr": "OBR", "beta": "β", "composite": "Composite", "ar": "AR",
    "rating": "Rating",
}  # fmt: skip


def metric_label(metric: str) -> str:
    """A metric's display name."""
    return _LABELS.get(metric, metric)


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


@dataclass(frozen=True)
class Axis:
    """Where each point sits on the x axis.

    Attributes:
        x: Position per point index.
        ticks: Tick positions.
        labels: Tick labels.
        title: The axis title.
        numeric: Whether positions are the values themselves.
    """

    x: dict[int, float]
    ticks: list[float]
    labels: list[str]
    title: str
    numeric: bool


def sweep_axis(sweep: Sweep) -> Axis:
    """The x axis of the sweep's figures (see the module docstring)."""
    shown = sweep.varied or sweep.paths
    if len(shown) == 1:
        vals = [p.values.get(shown[0]) for p in sweep.points]
        nums = [float(v) for v in vals if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(nums) == len(vals) and len(set(nums)) == len(nums):
            x = {p.index: v for p, v in zip(sweep.points, nums, strict=True)}
            return Axis(x, nums, [show_value(v) for v in vals], sweep.short(shown[0]), True)
    x = {p.index: float(i) for i, p in enumerate(sweep.points)}
    labels = [", ".join(show_value(p.values.get(s)) for s in shown) for p in sweep.points]
    return Axis(x, list(x.values()), labels, ", ".join(sweep.short(s) for s in shown), False)


def _axes(title: str, axis: Axis) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(7.5, 4.2))
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=10)
    ax.set_xticks(axis.ticks, axis.labels, rotation=0 if len(axis.ticks) <= 6 else 45, fontsize=8)
    ax.set_xlabel(axis.title)
    return fig, ax


def _n_text(ns: NDArray[np.int64]) -> str:
    lo, hi = int(ns.min()), int(ns.max())
    return f"n = {lo}" if lo == hi else f"n = {lo}–{hi}"


def _empty(title: str, message: str) -> bytes:
    fig = Figure(figsize=(6, 1.8))
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    ax.text(0.5, 0.5, message, ha="center", va="center")
    return _png(fig)


def metric_plot(long: pd.DataFrame, sweep: Sweep, metric: str, game: str, n_unit: str = "") -> bytes:
    """``metric`` against the swept parameter: one line per model with its 95% band, n in the legend.

    An undefined value (— at that point) breaks the model's line; the legend gives the n range over the
    points where it is defined.
    """
    axis = sweep_axis(sweep)
    sub = long.loc[(long["metric"] == metric) & (long["game"] == game)]
    title = f"{metric_label(metric)} vs {axis.title} — {game} (95% bands)"
    models = sorted(str(m) for m in sub.loc[sub["value"].notna(), "model"].unique())
    if not models:
        return _empty(title, "no defined value at any point")
    fig, ax = _axes(title, axis)
    for model in models:
        rows = sub.loc[sub["model"] == model].sort_values("point", kind="mergesort")
        x = np.array([axis.x[int(i)] for i in rows["point"]])
        v, lo, hi = (rows[c].to_numpy(dtype=float) for c in ("value", "lo", "hi"))
        ns = rows.loc[rows["value"].notna(), "n"].to_numpy(dtype=np.int64)
        (line,) = ax.plot(x, v, marker="o", ms=3, lw=1.2, label=f"{model} ({_n_text(ns)}{n_unit})")
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15, lw=0)
    ax.set_ylabel(metric_label(metric))
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _png(fig)


def stability_plot(stability: pd.DataFrame, sweep: Sweep) -> bytes:
    """Kendall τ against the base point with its 95% bootstrap interval; n models and matches per point."""
    axis = sweep_axis(sweep)
    title = f"Rank stability vs {axis.title}: Kendall τ against the base point (95% CI)"
    ok = stability.loc[stability["tau"].notna()].sort_values("point", kind="mergesort")
    if ok.empty:
        return _empty(title, "τ undefined at every point (fewer than two models rated at both points)")
    fig, ax = _axes(title, axis)
    x = np.array([axis.x[int(i)] for i in ok["point"]])
    tau = ok["tau"].to_numpy(dtype=float)
    lo = np.nan_to_num(tau - ok["lo"].to_numpy(dtype=float))
    hi = np.nan_to_num(ok["hi"].to_numpy(dtype=float) - tau)
    ax.errorbar(
        x, tau, yerr=[np.clip(lo, 0, None), np.clip(hi, 0, None)], fmt="o-", capsize=3, color="#4C72B0"
    )
    for xi, ti, nm, nk in zip(x, tau, ok["n_models"], ok["n_matches"], strict=True):
        ax.annotate(
            f"{int(nm)} models\n{int(nk)} matches",
            (xi, ti),
            fontsize=6,
            xytext=(4, -18),
            textcoords="offset points",
        )
    base = [axis.x[sweep.base_index]] if sweep.base_index in axis.x else []
    for xb in base:
        ax.axvline(xb, color="grey", lw=0.8, ls=":")
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0, color="black", lw=0.5)
    ax.set_ylabel("Kendall τ-b vs base")
    return _png(fig)


def balance_plot(balance: pd.DataFrame, sweep: Sweep) -> bytes:
    """Side A's observed round score per game vs the parameter (95% bands), the audit's equilibrium if run."""
    axis = sweep_axis(sweep)
    title = f"Side balance vs {axis.title}: side A's round score (draw = ½), 95% bands"
    ok = balance.loc[balance["a_score"].notna()]
    if ok.empty:
        return _empty(title, "no finished match at any point")
    fig, ax = _axes(title, axis)
    for game in sorted(str(g) for g in ok["game"].unique()):
        rows = balance.loc[balance["game"] == game].sort_values("point", kind="mergesort")
        x = np.array([axis.x[int(i)] for i in rows["point"]])
        v, lo, hi = (rows[c].to_numpy(dtype=float) for c in ("a_score", "lo", "hi"))
        ns = rows.loc[rows["a_score"].notna(), "n_rounds"].to_numpy(dtype=np.int64)
        (line,) = ax.plot(x, v, marker="o", ms=3, lw=1.2, label=f"{game} observed ({_n_text(ns)} rounds)")
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15, lw=0)
        eq = rows["a_win_equiv"].to_numpy(dtype=float)
        if np.isfinite(eq).any():
            ax.plot(
                x,
                eq,
                marker="s",
                ms=4,
                lw=1,
                ls="--",
                color=line.get_color(),
                label=f"{game} audit equilibrium",
            )
    ax.axhline(0.5, color="black", lw=0.8, ls=":", label="fair (0.5)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("side A's share")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _png(fig)
