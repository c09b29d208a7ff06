"""The HTML correlations section: a minimum of models, a matrix with n and p, the long table tucked away.

A correlation *across models* stands on one point per model. With 3 models every r is near ±1 and means
nothing, so below a minimum number of models (``--corr-min-models``, default 5) the section says so in one
sentence and draws nothing. Above it, the ``all`` matrix shows r with its n and p in every cell, greys the
cells whose p is 0.05 or more (or that stand on fewer models than the minimum), and the full per-game table
sits behind a disclosure with human column names and whole-number n.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from metrics.report.cells import Cell, count_cell, fixed, is_undefined, number_cell
from metrics.report.html import Section, esc
from metrics.report.tables import LABELS

#: The default fewest models for a correlation across models to be shown.
MIN_MODELS: Final = 5
#: Cells with p at or above this are greyed.
ALPHA: Final = 0.05

_LONG_HEADER: Final = (
    ("Game", ""),
    ("Metric x", ""),
    ("Metric y", ""),
    ("Models (n)", "models with both values defined: one point each"),
    ("Pearson r", "Pearson correlation of the models' values"),
    ("p", "two-sided p of Pearson r"),
    ("95% interval", "Fisher-z interval of Pearson r"),
    ("Spearman ρ", "rank correlation"),
    ("p (ρ)", "two-sided p of Spearman ρ"),
)


def enough_models(corr: pd.DataFrame, min_models: int) -> bool:
    """Whether any correlation across models stands on at least ``min_models`` models."""
    n = pd.to_numeric(corr["n"], errors="coerce") if not corr.empty else pd.Series(dtype=float)
    return bool((n >= min_models).any())


def _label(metric: str) -> str:
    return LABELS.get(metric, metric)


def _matrix(corr: pd.DataFrame, min_models: int) -> str:
    sub = corr.loc[corr["game"] == "all"]
    metrics = list(dict.fromkeys([*sub["metric_x"], *sub["metric_y"]]))
    cells = {(str(r["metric_x"]), str(r["metric_y"])): r for _, r in sub.iterrows()}
    head = "<th></th>" + "".join(f"<th>{esc(_label(m))}</th>" for m in metrics)
    body = []
    for y in metrics:
        tds = [f'<th class="t">{esc(_label(y))}</th>']
        for x in metrics:
            row = cells.get((x, y), cells.get((y, x)))
            if x == y or row is None:
                tds.append('<td class="corr u">·</td>' if x == y else '<td class="corr u">—</td>')
                continue
            r, p, n = row["pearson_r"], row["pearson_p"], row["n"]
            n_text = "n = 0" if is_undefined(n) else f"n = {int(n)}"
            if is_undefined(r):
                tds.append(f'<td class="corr insig">—<span class="ci">{esc(n_text)}</span></td>')
                continue
            weak = is_undefined(p) or float(p) >= ALPHA or is_undefined(n) or int(n) < min_models
            p_text = "p —" if is_undefined(p) else f"p = {_p(float(p))}"
            tds.append(
                f'<td class="corr{" insig" if weak else ""}" title="{esc(_label(x))} vs {esc(_label(y))}">'
                f'{esc(fixed(float(r), 2))}<span class="ci">{esc(n_text)}, {esc(p_text)}</span></td>'
            )
        body.append("<tr>" + "".join(tds) + "</tr>")
    return (
        f'<div class="wrap"><table id="corr-matrix"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _p(p: float) -> str:
    return "<0.001" if p < 0.001 else fixed(p, 3)


def _long_table(corr: pd.DataFrame) -> Section:
    head = [Cell(h, tip=t, numeric=i >= 3) for i, (h, t) in enumerate(_LONG_HEADER)]
    rows = []
    for _, r in corr.iterrows():
        interval = (
            "—"
            if is_undefined(r["pearson_lo"])
            else f"{fixed(float(r['pearson_lo']), 2)} – {fixed(float(r['pearson_hi']), 2)}"
        )
        rows.append(
            [
                Cell(str(r["game"])),
                Cell(_label(str(r["metric_x"]))),
                Cell(_label(str(r["metric_y"]))),
                count_cell(r["n"]),
                number_cell(r["pearson_r"], digits=2),
                number_cell(r["pearson_p"], digits=3),
                Cell(interval, sort="" if interval == "—" else repr(float(r["pearson_lo"]))),
                number_cell(r["spearman_rho"], digits=2),
                number_cell(r["spearman_p"], digits=3),
            ]
        )
    return Section("").cells(head, rows, table_id="correlations")


def correlations_section(corr: pd.DataFrame, n_models: int, min_models: int = MIN_MODELS) -> Section:
    """The correlations section of the page.

    Args:
        corr: :func:`~metrics.correlations.compute_correlations`'s table.
        n_models: Models on the leaderboard.
        min_models: The fewest models for a correlation across models to be shown.
    """
    section = Section("Correlations across models", anchor="correlations")
    if corr.empty or not enough_models(corr, min_models):
        n = pd.to_numeric(corr["n"], errors="coerce") if not corr.empty else pd.Series(dtype=float)
        most = int(n.max()) if n.notna().any() else 0
        return section.text(
            f"Correlations across models need at least {min_models} models with both values defined "
            f"(--corr-min-models); this report has {n_models} models (at most {most} per pair), "
            "so none is shown.",
            "note",
        )
    section.text(
        f"Pearson r across models in all games pooled: one point per model. Each cell gives r, the models "
        f"it stands on (n) and its p; grey cells have p ≥ {ALPHA} or fewer than {min_models} models.",
        "note",
    )
    section.markup(_matrix(corr, min_models))
    return section.disclosure(f"All {len(corr)} correlations, per game", _long_table(corr))
