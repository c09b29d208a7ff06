"""The HTML leaderboard: ranked by rating with rank ranges, n on every row, sortable, explained.

Rows are ranked by the Bradley–Terry rating; a rank range comes from the ratings' bootstrap intervals
(:func:`~metrics.report.ranks.rank_ranges`). Every header carries its metric's one-line definition as a
tooltip, every value its n, and every undefined value a numbered footnote that says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

import pandas as pd

from metrics.aggregate import COUNT_METRICS
from metrics.report.cells import Cell, count_cell, is_undefined, number_cell
from metrics.report.explain import LEGEND, N_UNITS, reason
from metrics.report.html import Section
from metrics.report.ranks import rank_ranges, rank_text
from metrics.report.tables import LABELS

#: Decimals per metric (every other rate: 3), so a column always reads the same.
DIGITS: Final = {"rating": 0, "cost_per_match": 4}

RANK_TIP: Final = (
    "Rank by rating; a range (2–3) when the 95% rating intervals overlap, so the order is not settled"
)
TIPS: Final = {
    "Rank": RANK_TIP,
    "Model": "the model (provider/name) or built-in bot",
    "Decisions": "model calls and bot decisions it made in finished matches",
    **LEGEND,
}


def ranked(board: pd.DataFrame) -> pd.DataFrame:
    """``board`` ordered by rating (undefined last, then by name), with ``rank_best`` / ``rank_worst``."""
    if "rating" not in board.columns:
        out = board.sort_values("model", kind="mergesort").reset_index(drop=True)
        out["rank_best"] = out["rank_worst"] = pd.NA
        return out
    order = board.assign(_undef=board["rating"].isna(), _neg=-board["rating"])
    out = order.sort_values(["_undef", "_neg", "model"], kind="mergesort").drop(columns=["_undef", "_neg"])
    out = out.reset_index(drop=True)
    spans = rank_ranges(
        list(out["rating"].astype(float)),
        list(out["rating_lo"].astype(float)) if "rating_lo" in out else None,
        list(out["rating_hi"].astype(float)) if "rating_hi" in out else None,
    )
    out["rank_best"] = [s[0] if s else pd.NA for s in spans]
    out["rank_worst"] = [s[1] if s else pd.NA for s in spans]
    return out


def _n_tip(row: pd.Series, metric: str) -> str:
    n = row.get(f"{metric}_n")
    if is_undefined(n) or metric not in N_UNITS:
        return ""
    return f"n = {int(n)} {N_UNITS[metric].replace('_', ' ')}"  # type: ignore[arg-type]  # defined


def metric_cells(
    table: pd.DataFrame, metrics: Sequence[str], explain: bool
) -> tuple[list[Cell], list[list[Cell]], list[str]]:
    """Header cells, value cells (value, muted interval, n tooltip) and the footnotes of undefined values.

    Args:
        table: A wide table: ``model`` and per metric ``m, m_lo, m_hi, m_n``.
        metrics: The metric columns to show (absent ones are skipped).
        explain: Footnote each model's undefined values with the reason.
    """
    shown = [m for m in metrics if m in table.columns]
    header = [Cell(LABELS.get(m, m), tip=TIPS.get(LABELS.get(m, m), ""), numeric=True) for m in shown]
    rows, notes = [], []
    for _, row in table.iterrows():
        undefined = [m for m in shown if is_undefined(row[m])]
        note = None
        if undefined and explain:
            notes.append(
                f"{row['model']}: "
                + "; ".join(f"{LABELS.get(m, m)} — {reason(m, row)}" for m in undefined)
                + "."
            )
            note = len(notes)
        cells = []
        for m in shown:
            if m in COUNT_METRICS:
                cell = count_cell(row[m])
            else:
                cell = number_cell(
                    row[m], row.get(f"{m}_lo"), row.get(f"{m}_hi"), digits=DIGITS.get(m, 3), note=note
                )
            tip = _n_tip(row, m)
            cells.append(replace(cell, tip=tip) if tip else cell)
        rows.append(cells)
    return header, rows, notes


def leaderboard_section(
    board: pd.DataFrame,
    metrics: Sequence[str],
    counts: pd.DataFrame,
    *,
    explain: bool,
    model_href: dict[str, str] | None = None,
) -> Section:
    """The leaderboard section: rank, model, matches, decisions, then ``metrics``.

    Args:
        board: The wide leaderboard (as :func:`~metrics.report.tables.leaderboard` builds it).
        metrics: The metric columns, in order.
        counts: Per model (index): ``matches`` and ``decisions``.
        explain: Footnote undefined values.
        model_href: Optional link per model (e.g. its matches in the match viewer).
    """
    table = ranked(board)
    metrics = [*(m for m in metrics if m == "rating"), *(m for m in metrics if m != "rating")]
    header, rows, notes = metric_cells(table, metrics, explain)
    head = [
        Cell("Rank", tip=TIPS["Rank"], numeric=True),
        Cell("Model", tip=TIPS["Model"], css="t"),
        Cell("Matches", tip=TIPS["Matches"], numeric=True),
        Cell("Decisions", tip=TIPS["Decisions"], numeric=True),
        *header,
    ]
    body = []
    for (_, row), cells in zip(table.iterrows(), rows, strict=True):
        model = str(row["model"])
        span = None if pd.isna(row["rank_best"]) else (int(row["rank_best"]), int(row["rank_worst"]))
        body.append(
            [
                Cell(rank_text(span), sort="" if span is None else str(span[0])),
                Cell(model, css="model", href=(model_href or {}).get(model, "")),
                count_cell(counts["matches"].get(model) if "matches" in counts else None),
                count_cell(counts["decisions"].get(model) if "decisions" in counts else None),
                *cells,
            ]
        )
    section = Section("Leaderboard", anchor="leaderboard-section").cells(head, body, table_id="leaderboard")
    section.text(
        "Ranked by rating. Click a column to sort (again to reverse); hover a header for its definition "
        "and a value for its n. Values show their 95% interval on a second line; — is undefined.",
        "note",
    )
    if notes:
        section.items(notes, ordered=True)
    return section
