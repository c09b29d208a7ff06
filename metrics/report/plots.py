"""Report plots as PNG bytes (matplotlib's Agg canvas; no pyplot, no global backend switch)."""

from __future__ import annotations

import io
import textwrap

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from metrics.correlations import correlate
from metrics.report.explain import undefined_notes
from metrics.report.tables import LABELS

_DPI = 110


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def _empty(title: str, message: str, height: float = 2) -> bytes:
    fig = Figure(figsize=(6, height))
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    return _png(fig)


def _wrapped(lines: list[str], width: int = 95) -> str:
    return "\n".join(textwrap.fill(line, width, subsequent_indent="    ") for line in lines)


def left_out_lines(board: pd.DataFrame, metric: str) -> list[str]:
    """Why each model without a value of ``metric`` is not drawn (one line per model)."""
    if metric not in board.columns:
        return []
    shown = [metric, *(m for m in ("wr", "csr", "obr") if metric == "composite")]  # why the parts are —
    return undefined_notes(board.loc[board[metric].isna()], shown)


def leaderboard_plot(board: pd.DataFrame, metric: str = "composite", *, explain: bool = False) -> bytes:
    """Horizontal bars of ``metric`` per model with its 95% interval.

    Args:
        board: The leaderboard.
        metric: The metric drawn.
        explain: List the models left out (undefined ``metric``) under the chart, with the reason.
    """
    title = f"Leaderboard — {LABELS.get(metric, metric)} (95% interval)"
    left_out = left_out_lines(board, metric) if explain else []
    if metric not in board.columns or board[metric].isna().all():
        if left_out:
            text = "No model has a defined value. Not shown:\n" + _wrapped(left_out, 80)
            return _empty(title, text, height=1.5 + 0.3 * len(text.splitlines()))
        return _empty(title, "no defined values")
    b = board.dropna(subset=[metric]).iloc[::-1]
    fig = Figure(figsize=(7, 0.35 * len(b) + 1.2))
    ax = fig.add_subplot()
    y = np.arange(len(b))
    v = b[metric].to_numpy(float)
    lo = np.nan_to_num(v - b[f"{metric}_lo"].to_numpy(float))
    hi = np.nan_to_num(b[f"{metric}_hi"].to_numpy(float) - v)
    ax.barh(y, v, color="#4C72B0")
    ax.errorbar(
        v, y, xerr=[np.clip(lo, 0, None), np.clip(hi, 0, None)], fmt="none", ecolor="black", capsize=3
    )
    ax.set_yticks(y, [str(m) for m in b["model"]])
    ax.set_xlabel(LABELS.get(metric, metric))
    ax.set_title(title)
    if left_out:  # below the axis label, never silently dropped
        text = f"Not shown ({LABELS.get(metric, metric)} undefined):\n" + _wrapped(left_out)
        ax.annotate(
            text, (0, 0), xycoords="axes fraction", xytext=(0, -36), textcoords="offset points",
            va="top", ha="left", fontsize=8,
        )  # fmt: skip
    return _png(fig)


#: Fewest models with both values for which a scatter with a fitted line is drawn (a correlation's minimum).
MIN_POINTS = 3


def too_few_points(board: pd.DataFrame, x: str, y: str) -> str | None:
    """The words drawn instead of a scatter of ``y`` vs ``x`` with too few points (``None``: enough)."""
    ok = ~(board[x].isna() | board[y].isna())
    if ok.sum() >= MIN_POINTS:
        return None
    lines = [
        f"Too few models to plot: {int(ok.sum())} of {len(board)} have both {LABELS.get(x, x)} and "
        f"{LABELS.get(y, y)} defined; a correlation needs at least {MIN_POINTS}.",
        *undefined_notes(board.loc[~ok], [x, y]),
    ]
    return _wrapped(lines, 80)


def scatter_fit(board: pd.DataFrame, x: str = "orr", y: str = "csr", *, explain: bool = False) -> bytes:
    """``y`` against ``x`` across models with a least-squares line and Pearson r, p, n.

    Args:
        board: The leaderboard.
        x: The metric on the x axis.
        y: The metric on the y axis.
        explain: With fewer than :data:`MIN_POINTS` models having both values, say so in words (and name
            the models left out) instead of drawing a near-empty frame.
    """
    title = f"{LABELS.get(y, y)} vs {LABELS.get(x, x)}"
    if x not in board.columns or y not in board.columns:
        return _empty(title, "metric not available")
    xs, ys = board[x].to_numpy(float), board[y].to_numpy(float)
    ok = ~(np.isnan(xs) | np.isnan(ys))
    if explain and (text := too_few_points(board, x, y)) is not None:
        return _empty(title, text, height=1.5 + 0.3 * len(text.splitlines()))
    res = correlate(xs, ys)
    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_subplot()
    ax.scatter(xs[ok], ys[ok], color="#DD8452")
    for name, a, b in zip(board["model"][ok], xs[ok], ys[ok], strict=True):
        ax.annotate(str(name), (a, b), fontsize=7, xytext=(3, 3), textcoords="offset points")
    if not np.isnan(res["pearson_r"]):
        slope, icpt = np.polyfit(xs[ok], ys[ok], 1)
        grid = np.linspace(xs[ok].min(), xs[ok].max(), 50)
        ax.plot(grid, slope * grid + icpt, color="black", lw=1)
        label = f"r = {res['pearson_r']:.3f}, p = {res['pearson_p']:.3g}, n = {int(res['n'])}"
    else:
        label = f"correlation undefined (n = {int(res['n'])})"
    ax.set_title(f"{title}\n{label}")
    ax.set_xlabel(LABELS.get(x, x))
    ax.set_ylabel(LABELS.get(y, y))
    return _png(fig)


def correlation_heatmap(corr: pd.DataFrame, game: str = "all") -> bytes:
    """Pearson r between every pair of metrics across models (blank where undefined)."""
    sub = corr.loc[corr["game"] == game]
    title = f"Pearson r across models ({game})"
    if sub.empty:
        return _empty(title, "no correlations")
    names = list(dict.fromkeys([*sub["metric_x"], *sub["metric_y"]]))
    k = len(names)
    mat = np.full((k, k), np.nan)
    np.fill_diagonal(mat, 1.0)
    pos = {m: i for i, m in enumerate(names)}
    for r in sub.itertuples(index=False):
        i, j = pos[r.metric_x], pos[r.metric_y]
        mat[i, j] = mat[j, i] = r.pearson_r
    fig = Figure(figsize=(0.55 * k + 2.5, 0.55 * k + 2))
    ax = fig.add_subplot()
    im = ax.imshow(np.ma.masked_invalid(mat), cmap="RdBu_r", vmin=-1, vmax=1)
    labels = [LABELS.get(m, m) for m in names]
    ax.set_xticks(range(k), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(k), labels, fontsize=8)
    for i in range(k):
        for j in range(k):
            if not np.isnan(mat[i, j]):
                ax.text(j, i, f"{mat[i, j]:.2f}", ha="center", va="center", fontsize=6)
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title(title)
    return _png(fig)


def pareto_front(cost: np.ndarray, rating: np.ndarray) -> np.ndarray:
    """Indices of the models no other model beats on both (lower or equal cost and higher rating)."""
    ok = np.flatnonzero(~(np.isnan(cost) | np.isnan(rating)))
    order = ok[np.lexsort((-rating[ok], cost[ok]))]
    front, best = [], -np.inf
    for i in order:
        if rating[i] > best:
            front.append(i)
            best = rating[i]
    return np.asarray(front, dtype=np.int64)


def rating_vs_cost(board: pd.DataFrame) -> bytes:
    """Rating against cost per match, with the Pareto front (cheapest way to each rating level)."""
    title = "Rating vs cost per match (Pareto front)"
    if "rating" not in board.columns or "cost_per_match" not in board.columns:
        return _empty(title, "rating or cost not available")
    cost, rating = board["cost_per_match"].to_numpy(float), board["rating"].to_numpy(float)
    ok = ~(np.isnan(cost) | np.isnan(rating))
    if not ok.any():
        return _empty(title, "no model with both a known cost and a rating")
    fig = Figure(figsize=(6.5, 4.5))
    ax = fig.add_subplot()
    ax.scatter(cost[ok], rating[ok], color="#55A868")
    for name, a, b in zip(board["model"][ok], cost[ok], rating[ok], strict=True):
        ax.annotate(str(name), (a, b), fontsize=7, xytext=(3, 3), textcoords="offset points")
    front = pareto_front(cost, rating)
    ax.step(cost[front], rating[front], where="post", color="black", lw=1, label="Pareto front")
    ax.set_xlabel("cost per match (USD)")
    ax.set_ylabel("rating (bot/random = 1000)")
    ax.legend(loc="lower right")
    ax.set_title(title)
    return _png(fig)
