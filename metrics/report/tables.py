"""Report tables: leaderboard, per-game tables, and plain-text renderings (Markdown, CSV)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Final

import pandas as pd

from metrics.aggregate import ALL_GAMES, COUNT_METRICS, LONG_COLUMNS, METRIC_ORDER

#: Leaderboard metrics, in column order (those absent from a definition set are skipped).
LEADERBOARD_METRICS: Final = (
    "composite",
    "wr",
    "csr",
    "orr",
    "beta",
    "obr",
    "unforced_revision_rate",
    "ar",
    "ar_margin",
    "missed_wins",
    "rating",
)
LABELS: Final = {
    "composite": "Composite",
    "wr": "WR",
    "csr": "CSR",
    "csr_win": "CSR (win)",
    "csr_fix": "CSR (fix)",
    "orr": "ORR",
    "beta": "β",
    "obr": "OBR",
    "unforced_revision_rate": "Unforced rev.",
    "overcorrection_harm": "Over-corr. harm",
    "round_wr": "Round WR",
    "match_wr": "Match WR",
    "ar": "AR",
    "ar_margin": "AR margin",
    "missed_wins": "Missed wins",
    "rating": "Rating",
    "cost_per_match": "Cost/match (USD)",
}


def _wide(long: pd.DataFrame, game: str, metrics: Sequence[str]) -> pd.DataFrame:
    sub = long.loc[(long["game"] == game) & long["metric"].isin(list(metrics))]
    out = pd.DataFrame(index=pd.Index(sorted(sub["model"].unique()), name="model"))
    for m in metrics:
        rows = sub.loc[sub["metric"] == m].set_index("model")
        if rows.empty:
            continue
        for col in ("value", "lo", "hi", "n"):
            out[f"{m}" if col == "value" else f"{m}_{col}"] = rows[col].reindex(out.index)
    return out


def leaderboard(long: pd.DataFrame, costs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per model (cross-game values), sorted by composite then rating (undefined last).

    Columns per metric ``m``: ``m, m_lo, m_hi, m_n``; plus ``cost_per_match`` with its interval and ``n``.
    """
    present = [m for m in LEADERBOARD_METRICS if m in set(long["metric"])]
    board = _wide(long, ALL_GAMES, present)
    if costs is not None and not costs.empty:
        c = costs.set_index("model").reindex(board.index)
        board["cost_per_match"] = c["value"]
        board["cost_per_match_lo"] = c["lo"]
        board["cost_per_match_hi"] = c["hi"]
        board["matches"] = c["n"]
    keys = [k for k in ("composite", "rating") if k in board.columns]
    if keys:
        board = board.sort_values(keys, ascending=False, na_position="last", kind="mergesort")
    return board.reset_index()


def per_game_tables(long: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per game (and ``all``): one row per model with every metric and its interval and n."""
    present = [m for m in METRIC_ORDER if m in set(long["metric"])]
    games = sorted(g for g in long["game"].unique() if g != ALL_GAMES)
    return {g: _wide(long, g, present).reset_index() for g in [*games, ALL_GAMES]}


def fmt_num(value: object, digits: int = 3) -> str:
    """A number for humans: fixed decimals, ``—`` when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, int | float):
        v = float(value)
        if abs(v) >= 100:
            return f"{v:.0f}"
        if v != 0 and abs(v) < 10**-digits:
            return f"{v:.2g}"
        return f"{v:.{digits}f}"
    return str(value)


def fmt_interval(row: pd.Series, metric: str) -> str:
    """``value [lo, hi]`` of ``metric`` in a wide row (a count: the whole number alone)."""
    if metric in COUNT_METRICS:
        text = fmt_num(row.get(metric))
        return text if text == "—" else f"{float(row[metric]):.0f}"
    value = fmt_num(row.get(metric))
    lo, hi = row.get(f"{metric}_lo"), row.get(f"{metric}_hi")
    if value == "—" or fmt_num(lo) == "—":
        return value
    return f"{value} [{fmt_num(lo)}, {fmt_num(hi)}]"


def display_rows(board: pd.DataFrame, metrics: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Header and formatted rows (``value [lo, hi]``) of a wide table, for Markdown and HTML."""
    cols = [m for m in metrics if m in board.columns]
    header = ["model", *(LABELS.get(m, m) for m in cols)]
    rows = [[str(r["model"]), *(fmt_interval(r, m) for m in cols)] for _, r in board.iterrows()]
    return header, rows


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub Markdown table (pipes in cells escaped)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else format(value, ".10g")
    return str(value)


def to_csv_text(df: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """Deterministic CSV: floats as ``%.10g``, undefined as empty, Unix line ends."""
    cols = list(columns) if columns is not None else list(df.columns)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for row in df[cols].itertuples(index=False):
        w.writerow([_csv_value(v.item() if hasattr(v, "item") else v) for v in row])
    return buf.getvalue()


def metrics_csv(long: pd.DataFrame) -> str:
    """The ``metrics.csv`` text (long form, canonical row order)."""
    return to_csv_text(long, LONG_COLUMNS)
