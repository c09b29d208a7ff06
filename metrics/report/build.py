"""``write_report``: every report file of one store and definition set.

Files: ``metrics.csv`` (long form), ``leaderboard.md`` / ``.csv``, ``per_game/<game>.csv`` / ``.md``,
``correlations.csv`` / ``.md``, ``failures.csv``, four PNG plots and a self-contained ``report.html``; with
the ``stratagem`` definitions also ``answer_rate.csv``, the per-decision answer-rate table (each missed
win with the winning plan the search found).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metrics.answer_rate import DEFAULT_SIMS, AnswerTable, answer_decisions
from metrics.compute import compute_metrics
from metrics.correlations import compute_correlations
from metrics.failures import FAILURE_CLASSES, cost_per_match, failure_examples, failure_table
from metrics.load import StoreFrames, check_fingerprints, load_store
from metrics.ratings import compute_ratings
from metrics.report import plots
from metrics.report.html import Section, render
from metrics.report.tables import (
    LABELS,
    LEADERBOARD_METRICS,
    display_rows,
    fmt_num,
    leaderboard,
    markdown,
    metrics_csv,
    per_game_tables,
    to_csv_text,
)

_CORR_SHOWN = ("n", "pearson_r", "pearson_p", "pearson_lo", "pearson_hi", "spearman_rho", "spearman_p")


@dataclass
class ReportFiles:
    """What :func:`write_report` wrote, and the tables it computed."""

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    metrics: pd.DataFrame = field(default_factory=pd.DataFrame)
    leaderboard: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    answers: AnswerTable | None = None


def _write(files: list[Path], path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", newline="\n")
    files.append(path)


def write_report(
    store: StoreFrames | Path | str,
    out_dir: Path | str,
    definitions: str = "stratagem",
    weights: Mapping[str, float] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    allow_mixed: bool = False,
    *,
    answer_rate: bool = True,
    ar_sims: int = DEFAULT_SIMS,
    ar_workers: int | None = None,
) -> ReportFiles:
    """Compute everything for one store and write the report files into ``out_dir``.

    Args:
        store: A store path or already loaded frames.
        out_dir: Output directory (created).
        definitions: ``stratagem`` or ``advgamebench``.
        weights: Composite weights.
        n_boot: Bootstrap resamples.
        seed: Bootstrap seed.
        allow_mixed: Pool different fingerprints within a cell.
        answer_rate: Add the answer rate (``stratagem`` definitions only), cached in the store when it can
            be written.
        ar_sims: The answer rate's search budget per decision.
        ar_workers: Worker processes for the answer rate's searches (default: the CPUs available).
    """
    frames = store if isinstance(store, StoreFrames) else load_store(store)
    out = Path(out_dir)
    res = ReportFiles(out_dir=out)
    mixed = check_fingerprints(frames, allow_mixed)
    ratings = compute_ratings(frames, n_boot=n_boot, seed=seed)
    answers = None
    if answer_rate and definitions == "stratagem":
        answers = answer_decisions(
            frames,
            sims=ar_sims,
            store=None if isinstance(store, StoreFrames) else store,
            workers=ar_workers,
        )
    long = compute_metrics(
        frames,
        definitions,
        weights,
        n_boot,
        seed,
        allow_mixed=allow_mixed,
        ratings=ratings,
        answers=None if answers is None else answers.decisions,
    )
    costs = cost_per_match(frames, n_boot=n_boot, seed=seed)
    board = leaderboard(long, costs)
    games = per_game_tables(long)
    corr = compute_correlations(long)
    fails = failure_table(frames)
    examples = failure_examples(frames)
    res.metrics, res.leaderboard, res.answers = long, board, answers

    n_fin = int((frames.matches["status"] == "finished").sum())
    n_void = int((frames.matches["status"] == "voided").sum())
    res.notes = [
        f"Store: {frames.source}. Definitions: {definitions}. Finished matches: {n_fin}; voided: {n_void} "
        "(voided matches count only in the failure table).",
        f"Intervals: 95% percentile bootstrap over {n_boot} resamples of matches (seed {seed}); "
        "undefined values are shown as — (n = 0).",
        *ratings.notes(),
    ]
    if answers is not None:
        res.notes.append(answers.note())
    if definitions == "advgamebench":
        res.notes.append("advgamebench definitions reproduce the released evaluator, including its zeros.")
    if mixed:
        cells = "; ".join(f"{m} / {g}: {', '.join(f)}" for (m, g), f in sorted(mixed.items()))
        res.notes.append(f"Mixed fingerprints were pooled on request (--allow-mixed-fingerprints): {cells}.")

    lb_metrics = [*(m for m in LEADERBOARD_METRICS if m in board.columns), "cost_per_match"]
    lb_header, lb_rows = display_rows(board, lb_metrics)
    _write(res.files, out / "metrics.csv", metrics_csv(long))
    _write(res.files, out / "leaderboard.csv", to_csv_text(board))
    _write(
        res.files,
        out / "leaderboard.md",
        "\n".join(f"> {n}" for n in res.notes) + "\n\n" + markdown(lb_header, lb_rows),
    )
    game_sections = []
    for game, table in games.items():
        metric_cols = [c for c in table.columns if c != "model" and not c.endswith(("_lo", "_hi", "_n"))]
        header, rows = display_rows(table, metric_cols)
        _write(res.files, out / "per_game" / f"{game}.csv", to_csv_text(table))
        _write(res.files, out / "per_game" / f"{game}.md", markdown(header, rows))
        game_sections.append((game, header, rows))
    _write(res.files, out / "correlations.csv", to_csv_text(corr))
    corr_rows = [
        [str(r["game"]), str(r["metric_x"]), str(r["metric_y"]), *(fmt_num(r[c]) for c in _CORR_SHOWN)]
        for _, r in corr.iterrows()
    ]
    corr_header = ["game", "x", "y", *_CORR_SHOWN]
    _write(res.files, out / "correlations.md", markdown(corr_header, corr_rows))
    _write(res.files, out / "failures.csv", to_csv_text(fails))
    if answers is not None:
        _write(res.files, out / "answer_rate.csv", to_csv_text(answers.decisions))

    pngs = {
        "leaderboard.png": plots.leaderboard_plot(board, "composite"),
        "orr_vs_csr.png": plots.scatter_fit(board, "orr", "csr"),
        "correlation_heatmap.png": plots.correlation_heatmap(corr, "all"),
        "rating_vs_cost.png": plots.rating_vs_cost(board),
    }
    for name, png in pngs.items():
        _write(res.files, out / name, png)

    sections = [
        Section("Summary", anchor="summary").text(" ".join(res.notes), "note"),
        Section("Leaderboard", anchor="leaderboard-section")
        .table(lb_header, lb_rows, table_id="leaderboard")
        .image(pngs["leaderboard.png"], "leaderboard"),
        Section("Plots", anchor="plots")
        .image(pngs["orr_vs_csr.png"], "ORR vs CSR")
        .image(pngs["correlation_heatmap.png"], "correlation heatmap")
        .image(pngs["rating_vs_cost.png"], "rating vs cost"),
    ]
    per_game = Section("Per-game tables", anchor="per-game")
    for game, header, rows in game_sections:
        per_game.heading(game).table(header, rows, table_id=f"game-{game}")
    sections.append(per_game)
    sections.append(
        Section("Correlations across models", anchor="correlations").table(corr_header, corr_rows)
    )
    fail_cols = [
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
    ]
    fail_rows = [[str(r["model"]), *(fmt_num(r[c]) for c in fail_cols)] for _, r in fails.iterrows()]
    failures = Section("Failures, tokens and cost", anchor="failures").table(
        ["model", *(LABELS.get(c, c) for c in fail_cols)], fail_rows, table_id="failures"
    )
    if not examples.empty:
        failures.heading("Examples of failed replies (model-written text, shown verbatim)")
        for _, e in examples.iterrows():
            failures.text(
                f"{e['model']} — match {e['match_id']}, decision {e['seq']}: {e['failure_class']}"
                + (f" ({e['parse_error']})" if e["parse_error"] else "")
            )
            failures.pre(str(e["excerpt"]))
    sections.append(failures)
    page = render(f"Stratagem report — {definitions}", sections)
    _write(res.files, out / "report.html", page)
    return res
