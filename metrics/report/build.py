"""``write_report``: every report file of one store and definition set.

Files: ``metrics.csv`` (long form), ``leaderboard.md`` / ``.csv``, ``per_game/<game>.csv`` / ``.md``,
``correlations.csv`` / ``.md``, ``failures.csv``, four PNG plots and a self-contained ``report.html``; with
the ``stratagem`` definitions also ``answer_rate.csv``, the per-decision answer-rate table (each missed
win with the winning plan the search found).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metrics.answer_rate import DEFAULT_SIMS, AnswerTable, answer_decisions
from metrics.compute import compute_metrics
from metrics.correlations import compute_correlations
from metrics.failures import cost_per_match, failure_examples, failure_table
from metrics.load import StoreFrames, check_fingerprints, load_store
from metrics.ratings import compute_ratings
from metrics.report import plots
from metrics.report.correlations_view import MIN_MODELS, enough_models
from metrics.report.explain import (
    CORRELATIONS_LEGEND,
    decision_counts,
    legend_line,
    model_counts,
    n_column_names,
    rounds_note,
    undefined_notes,
)
from metrics.report.leaderboard_view import ranked
from metrics.report.match_list import write_match_pages
from metrics.report.page import PageInputs, report_page
from metrics.report.tables import (
    LEADERBOARD_METRICS,
    display_rows,
    fmt_num,
    leaderboard,
    markdown,
    metrics_csv,
    per_game_tables,
    to_csv_text,
)

#: The most matches for which the report writes the match viewer unless asked (about 2 s of pages).
AUTO_MATCH_PAGES = 2_000

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
    undefined: list[str] = field(default_factory=list)


def _with_counts(board: pd.DataFrame, frames: StoreFrames) -> pd.DataFrame:
    """The leaderboard with ``matches`` and ``rounds`` (what each row stands on) right after ``model``."""
    counts = model_counts(frames).set_index("model")
    out = board.drop(columns=[c for c in ("matches", "rounds") if c in board.columns])
    out.insert(1, "matches", counts["matches"].reindex(out["model"]).fillna(0).astype("int64").to_numpy())
    out.insert(2, "rounds", counts["rounds"].reindex(out["model"]).fillna(0).astype("int64").to_numpy())
    return out


def _counted_rows(
    board: pd.DataFrame, header: list[str], rows: list[list[str]]
) -> tuple[list[str], list[list[str]]]:
    """``header`` / ``rows`` with the Matches and Rounds columns after the model."""
    counts = [[str(m), str(r)] for m, r in zip(board["matches"], board["rounds"], strict=True)]
    return (
        [header[0], "Matches", "Rounds", *header[1:]],
        [[row[0], *c, *row[1:]] for row, c in zip(rows, counts, strict=True)],
    )


def _md(header: list[str], rows: list[list[str]], explain: bool, notes: Sequence[str] = ()) -> str:
    """A Markdown table; with ``explain`` followed by its legend line and footnotes."""
    text = markdown(header, rows)
    if explain:
        text += "\n" + legend_line(header) + "\n"
        if notes:
            text += "\nUndefined values (—):\n\n" + "".join(f"- {n}\n" for n in notes)
    return text


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
    corr_min_models: int = MIN_MODELS,
    match_pages: bool | None = None,
    on_progress: Callable[[int, int], None] | None = None,
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
        corr_min_models: The fewest models for correlations across models to be drawn on the page.
        match_pages: Write the match viewer (``matches/index.html`` and a page per match), linked from
            ``report.html``; needs the store file (frames given alone are reported without it). ``None``:
            only for stores of at most :data:`AUTO_MATCH_PAGES` matches (a page per match costs time;
            ``stratagem show STORE ID --html`` writes any one page).
        on_progress: Called as ``on_progress(done, total)`` while the match pages are written.
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
    explain = definitions == "stratagem"  # advgamebench outputs keep the released evaluator's layout
    if explain:
        board = _with_counts(board, frames)
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
    if explain and (rounds := rounds_note(frames)):
        res.notes.append(rounds)

    lb_metrics = [*(m for m in LEADERBOARD_METRICS if m in board.columns), "cost_per_match"]
    lb_header, lb_rows = display_rows(board, lb_metrics)
    lb_notes = undefined_notes(board, lb_metrics) if explain else []
    if explain:
        lb_header, lb_rows = _counted_rows(board, lb_header, lb_rows)
        res.undefined = lb_notes
    csv_names = n_column_names(board.columns) if explain else {}
    _write(res.files, out / "metrics.csv", metrics_csv(long))
    _write(res.files, out / "leaderboard.csv", to_csv_text(board.rename(columns=csv_names)))
    _write(
        res.files,
        out / "leaderboard.md",
        "\n".join(f"> {n}" for n in res.notes) + "\n\n" + _md(lb_header, lb_rows, explain, lb_notes),
    )
    for game, table in games.items():
        metric_cols = [c for c in table.columns if c != "model" and not c.endswith(("_lo", "_hi", "_n"))]
        header, rows = display_rows(table, metric_cols)
        notes = undefined_notes(table, metric_cols) if explain else []
        csv_table = table.rename(columns=n_column_names(table.columns)) if explain else table
        _write(res.files, out / "per_game" / f"{game}.csv", to_csv_text(csv_table))
        _write(res.files, out / "per_game" / f"{game}.md", _md(header, rows, explain, notes))
    _write(res.files, out / "correlations.csv", to_csv_text(corr))
    corr_rows = [
        [
            str(r["game"]),
            str(r["metric_x"]),
            str(r["metric_y"]),
            *(str(int(r[c])) if explain and c == "n" else fmt_num(r[c]) for c in _CORR_SHOWN),
        ]
        for _, r in corr.iterrows()
    ]
    corr_header = ["game", "x", "y", *_CORR_SHOWN]
    corr_md = markdown(corr_header, corr_rows) + (f"\n{CORRELATIONS_LEGEND}\n" if explain else "")
    _write(res.files, out / "correlations.md", corr_md)
    _write(res.files, out / "failures.csv", to_csv_text(fails))
    if answers is not None:
        _write(res.files, out / "answer_rate.csv", to_csv_text(answers.decisions))

    enough = enough_models(corr, corr_min_models)
    pngs = {
        "leaderboard.png": plots.leaderboard_plot(board, "composite", explain=explain),
        "orr_vs_csr.png": plots.scatter_fit(board, "orr", "csr", explain=explain),
        "rating_vs_cost.png": plots.rating_vs_cost(board),
    }
    if enough:  # with fewer models every r is near ±1 and means nothing: no heatmap
        pngs["correlation_heatmap.png"] = plots.correlation_heatmap(corr, "all")
    for name, png in pngs.items():
        _write(res.files, out / name, png)

    # The page lists the models a chart leaves out beneath it, in HTML; its charts carry no such notes.
    charts = {
        "rating.png": plots.leaderboard_plot(ranked(board), "rating"),
        "composite.png": plots.leaderboard_plot(board, "composite") if explain else pngs["leaderboard.png"],
        "orr_vs_csr.png": plots.scatter_fit(board, "orr", "csr") if explain else pngs["orr_vs_csr.png"],
        "rating_vs_cost.png": pngs["rating_vs_cost.png"],
    }
    counts = model_counts(frames).set_index("model")
    counts["decisions"] = decision_counts(frames).reindex(counts.index).fillna(0).astype("int64")
    inputs = PageInputs(
        definitions=definitions,
        notes=res.notes,
        board=board,
        lb_metrics=lb_metrics,
        counts=counts,
        explain=explain,
        games=games,
        corr=corr,
        fails=fails,
        examples=examples,
        charts=charts,
        corr_min_models=corr_min_models,
    )
    store_file = Path(frames.source) if isinstance(store, StoreFrames) else Path(store)
    if match_pages is None:
        match_pages = len(frames.matches) <= AUTO_MATCH_PAGES
        if not match_pages:
            res.notes.append(
                f"Match pages not written: {len(frames.matches)} matches (more than {AUTO_MATCH_PAGES}); "
                "pass --matches to write them, or `stratagem show STORE MATCH_ID --html` for one."
            )
    if match_pages and store_file.is_file():
        res.files += write_match_pages(store_file, out / "matches", on_progress=on_progress)
        inputs.matches_href = "matches/index.html"
    _write(res.files, out / "report.html", report_page(inputs))
    return res
