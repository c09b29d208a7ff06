"""The sweep section of ``report.html``: points, metric-vs-parameter figures, rank stability, balance.

Every value and name goes through :class:`~metrics.report.html.Section` and
:class:`~metrics.report.cells.Cell`, which escape all text; a figure is followed by a table of the numbers
it draws, each with its interval and n.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from metrics.report.cells import Cell, count_cell, number_cell
from metrics.report.explain import N_UNITS
from metrics.report.html import Section
from metrics.sweep_plots import metric_label
from metrics.sweep_tables import NO_FLIPS, SweepTables

#: Decimals per metric (every other: 3).
_DIGITS = {"rating": 0}


def n_unit(metric: str) -> str:
    """What a metric's n counts (``own turns``, ``corrections``, ``rounds``…), or ``""``."""
    return N_UNITS.get(metric, "").replace("_", " ")


def _value(value: Any, lo: Any, hi: Any, n: Any, digits: int = 3) -> Cell:
    """A number with its interval and n on the muted line; ``—`` with n = 0 when undefined."""
    cell = number_cell(value, lo, hi, digits=digits)
    if cell.sort == "":
        return replace(cell, sub="n = 0")
    sub = f"{cell.sub}, n = {int(n)}" if cell.sub else f"n = {int(n)}"
    return replace(cell, sub=sub)


def _point_cells(tables: SweepTables) -> list[Cell]:
    s = tables.sweep
    out = []
    for p in s.points:
        base = " (base)" if p.index == s.base_index else ""
        out.append(Cell(f"{p.index}{base}: {s.label(p)}", tip=s.label(p), numeric=True))
    return out


def _points(tables: SweepTables, section: Section) -> None:
    s = tables.sweep
    head = [Cell("Point", numeric=True), Cell("Base"), *(Cell(s.short(p), tip=p) for p in s.paths)]
    head += [Cell(h, numeric=True) for h in ("Finished", "Voided", "Fingerprints")]
    rows = [
        [count_cell(r["point"]), Cell("yes" if r["base"] else ""), *(Cell(str(r[p])) for p in s.paths),
         count_cell(r["matches_finished"]), count_cell(r["matches_voided"]), count_cell(r["fingerprints"])]
        for _, r in tables.points.iterrows()
    ]  # fmt: skip
    section.heading("Points").cells(head, rows, table_id="sweep-points")


def _metric(tables: SweepTables, metric: str, png: bytes | None, section: Section) -> None:
    m = tables.metrics
    sub = m.loc[(m["metric"] == metric) & (m["game"] == tables.game)]
    section.heading(f"{metric_label(metric)} vs the parameter ({tables.game})")
    if png is not None:
        section.image(
            png, f"{metric_label(metric)} against the swept parameter, one line per model, 95% bands"
        )
    if unit := n_unit(metric):
        section.text(f"Each cell: value, 95% interval, n = {unit}.", "note")
    digits = _DIGITS.get(metric, 3)
    rows = []
    for model, rows_m in sub.groupby("model", sort=True):
        by = rows_m.set_index("point")
        cells = [Cell(str(model), css="model")]
        for p in tables.sweep.points:
            if p.index in by.index:
                r = by.loc[p.index]
                cells.append(_value(r["value"], r["lo"], r["hi"], r["n"], digits))
            else:
                cells.append(_value(None, None, None, 0))
        rows.append(cells)
    section.cells([Cell("Model"), *_point_cells(tables)], rows, table_id=f"sweep-{metric}")


def _stability(tables: SweepTables, pngs: Mapping[str, bytes], section: Section) -> None:
    section.heading("Rank stability: Kendall τ against the base point")
    if "sweep_rank_stability.png" in pngs:
        section.image(pngs["sweep_rank_stability.png"], "Kendall tau against the base point with 95% CI")
    head = [Cell("Point", numeric=True), Cell("Values"), Cell("τ", numeric=True, tip="Kendall tau-b vs base")]
    head += [Cell("Models", numeric=True), Cell("Matches", numeric=True)]
    label = {p.index: tables.sweep.label(p) for p in tables.sweep.points}
    rows = [
        [count_cell(r["point"]), Cell(label[int(r["point"])]), number_cell(r["tau"], r["lo"], r["hi"]),
         count_cell(r["n_models"]), count_cell(r["n_matches"])]
        for _, r in tables.stability.iterrows()
    ]  # fmt: skip
    section.cells(head, rows, table_id="sweep-tau")
    section.heading("Rank flips")
    if tables.flips.empty:
        section.text(NO_FLIPS)
        return
    head = [Cell("Point", numeric=True), Cell("Above at base"), Cell("Below at base")]
    head += [Cell(h, numeric=True) for h in ("Base: above", "Base: below", "Point: above", "Point: below")]
    rows = []
    for _, r in tables.flips.iterrows():
        rows.append(
            [count_cell(r["point"]), Cell(str(r["model_hi_at_base"]), css="model"),
             Cell(str(r["model_lo_at_base"]), css="model"),
             number_cell(r["base_rating_hi"], r["base_lo_hi"], r["base_hi_hi"], digits=0),
             number_cell(r["base_rating_lo"], r["base_lo_lo"], r["base_hi_lo"], digits=0),
             number_cell(r["point_rating_hi"], r["point_lo_hi"], r["point_hi_hi"], digits=0),
             number_cell(r["point_rating_lo"], r["point_lo_lo"], r["point_hi_lo"], digits=0)]
        )  # fmt: skip
    section.cells(head, rows, table_id="sweep-flips")


def _balance(tables: SweepTables, pngs: Mapping[str, bytes], section: Section) -> None:
    section.heading("Side balance against the parameter")
    if "sweep_balance.png" in pngs:
        section.image(pngs["sweep_balance.png"], "side A's round score against the swept parameter")
    head = [Cell("Point", numeric=True), Cell("Game"), Cell("A's round score", numeric=True)]
    if tables.audited:
        head += [Cell("Audit equilibrium", numeric=True, tip="A's equilibrium win-equivalent (audit)")]
        head += [Cell("Support A/B"), Cell("Unbeaten A/B")]
    rows = []
    for _, r in tables.balance.iterrows():
        cells = [
            count_cell(r["point"]),
            Cell(str(r["game"])),
            _value(r["a_score"], r["lo"], r["hi"], r["n_rounds"]),
        ]
        if tables.audited:
            done = pd.notna(r["a_win_equiv"])
            cells += [
                number_cell(r["a_win_equiv"]),
                Cell(f"{int(r['support_a'])}/{int(r['support_b'])}" if done else "—"),
                Cell(f"{int(r['unbeaten_a'])}/{int(r['unbeaten_b'])}" if done else "—"),
            ]
        rows.append(cells)
    section.cells(head, rows, table_id="sweep-balance")
    section.text("n = rounds at that point; a round without a winner counts ½; 0.5 is fair.", "note")


def sweep_section(tables: SweepTables, pngs: Mapping[str, bytes]) -> Section:
    """The ``Parameter sweep`` section of ``report.html`` (anchor ``sweep``)."""
    section = Section("Parameter sweep", anchor="sweep").items(tables.notes, css="note")
    _points(tables, section)
    for metric in tables.metric_names:
        _metric(tables, metric, pngs.get(f"sweep_{metric}.png"), section)
    _stability(tables, pngs, section)
    _balance(tables, pngs, section)
    return section
