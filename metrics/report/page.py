"""``report.html``: the sections of the page, assembled from the tables :mod:`metrics.report.build` made.

Every table is sortable client side, every header explained by a tooltip, every undefined value a — with
a footnote, and every chart lists the models it could not draw beneath it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from metrics.failures import FAILURE_CLASSES
from metrics.report import plots
from metrics.report.cells import Cell, count_cell, number_cell
from metrics.report.correlations_view import MIN_MODELS, correlations_section
from metrics.report.explain import FAILURES_LEGEND
from metrics.report.html import Section, render
from metrics.report.leaderboard_view import TIPS, leaderboard_section, metric_cells
from metrics.report.tables import LABELS

FAIL_COLUMNS = (
    "decisions",
    *FAILURE_CLASSES,
    "other",
    "failure_rate",
    "matches_finished",
    "matches_voided",
    "input_tokens_per_match",
    "output_tokens_per_match",
    "tokens_per_round",
    "cost_per_match",
    "cost_per_round",
)
#: Short headers (the legend under the table and each tooltip spell them out).
_FAIL_HEADERS = {
    "decisions": ("Decisions", "model calls and bot decisions"),
    "truncated": ("Trunc.", "replies cut off at the token limit"),
    "refused": ("Refused", "replies that refused (or a content filter)"),
    "unparseable": ("Unparse.", "replies with no readable JSON plan"),
    "infra_error": ("Infra", "provider or network failure after the retries"),
    "schema_violation": ("Schema", "JSON that does not match the plan schema"),
    "rule_violation": ("Rule", "a plan that breaks a game rule"),
    "over_budget": ("Over budget", "a plan that costs more than the budget"),
    "other": ("Other", "any other failure class"),
    "failure_rate": ("Fail rate", "share of decisions that failed"),
    "matches_finished": ("Finished", "finished matches"),
    "matches_voided": ("Voided", "voided matches (infrastructure failures after the re-queues)"),
    "input_tokens_per_match": ("In tok./match", "input tokens per finished match"),
    "output_tokens_per_match": ("Out tok./match", "output tokens per finished match"),
    "tokens_per_round": ("Tok./round", "tokens per round"),
    "cost_per_match": ("USD/match", "API cost per finished match (— where a price is unknown)"),
    "cost_per_round": ("USD/round", "API cost per round"),
}
_FAIL_DIGITS = {"failure_rate": 3, "cost_per_match": 4, "cost_per_round": 5, "tokens_per_round": 0}


@dataclass
class PageInputs:
    """What the page shows (all computed by the report builder)."""

    definitions: str
    notes: list[str]
    board: pd.DataFrame
    lb_metrics: list[str]
    counts: pd.DataFrame
    explain: bool
    games: Mapping[str, pd.DataFrame]
    corr: pd.DataFrame
    fails: pd.DataFrame
    examples: pd.DataFrame
    charts: Mapping[str, bytes]
    corr_min_models: int = MIN_MODELS
    matches_href: str = ""
    model_href: dict[str, str] = field(default_factory=dict)


def _chart(section: Section, png: bytes, alt: str, board: pd.DataFrame, metrics: Sequence[str]) -> None:
    """A chart, and beneath it every model it leaves out (a metric undefined) with the reason."""
    section.image(png, alt)
    left: list[str] = []
    for m in metrics:
        left += [line for line in plots.left_out_lines(board, m) if line not in left]
    if left:
        label = " or ".join(LABELS.get(m, m) for m in metrics)
        section.text(f"Not drawn above ({label} undefined):", "note").items(left)


def _failures(inputs: PageInputs) -> Section:
    fails = inputs.fails
    head = [Cell("Model")]
    for c in FAIL_COLUMNS:
        label, tip = _FAIL_HEADERS.get(c, (c.replace("_", " "), f"decisions that failed as {c}"))
        head.append(Cell(label, tip=tip, numeric=True))
    rows = []
    for _, r in fails.iterrows():
        cells = [Cell(str(r["model"]), css="model")]
        for c in FAIL_COLUMNS:
            if c in _FAIL_DIGITS:
                cells.append(number_cell(r[c], digits=_FAIL_DIGITS[c]))
            else:
                cells.append(count_cell(r[c]))
        rows.append(cells)
    section = Section("Failures, tokens and cost", anchor="failures").cells(head, rows, table_id="failures")
    if inputs.explain:
        section.text(FAILURES_LEGEND, "note")
    if not inputs.examples.empty:
        examples = Section("")
        for _, e in inputs.examples.iterrows():
            examples.text(
                f"{e['model']} — match {e['match_id']}, decision {e['seq']}: {e['failure_class']}"
                + (f" ({e['parse_error']})" if e["parse_error"] else "")
            )
            examples.pre(str(e["excerpt"]))
        section.disclosure(
            f"Examples of failed replies ({len(inputs.examples)}; model-written text, shown verbatim)",
            examples,
        )
    return section


def report_page(inputs: PageInputs) -> str:
    """The whole ``report.html``."""
    board = inputs.board
    summary = Section("Summary", anchor="summary").items(inputs.notes, css="note")
    lead = leaderboard_section(
        board, inputs.lb_metrics, inputs.counts, explain=inputs.explain, model_href=inputs.model_href
    )
    charts = Section("Charts", anchor="charts")
    for name, (alt, metrics) in {
        "rating.png": ("ratings with 95% intervals", ["rating"]),
        "composite.png": ("composite with 95% intervals", ["composite"]),
        "orr_vs_csr.png": ("ORR vs CSR", ["orr", "csr"]),
        "rating_vs_cost.png": ("rating vs cost", ["rating", "cost_per_match"]),
    }.items():
        if name in inputs.charts:
            _chart(charts, inputs.charts[name], alt, board, [m for m in metrics if m in board.columns])
    per_game = Section("Per-game tables", anchor="per-game")
    for game, table in inputs.games.items():
        metric_cols = [c for c in table.columns if c != "model" and not c.endswith(("_lo", "_hi", "_n"))]
        header, rows, notes = metric_cells(table, metric_cols, inputs.explain)
        body = [[Cell(str(m), css="model"), *r] for m, r in zip(table["model"], rows, strict=True)]
        per_game.heading(game).cells([Cell("Model", tip=TIPS["Model"]), *header], body, f"game-{game}")
        per_game.items(notes, ordered=True)
    sections = [
        summary,
        lead,
        charts,
        per_game,
        correlations_section(inputs.corr, len(board), inputs.corr_min_models),
        _failures(inputs),
    ]
    links = [(inputs.matches_href, "Matches")] if inputs.matches_href else []
    return render(f"Stratagem report — {inputs.definitions}", sections, links)
