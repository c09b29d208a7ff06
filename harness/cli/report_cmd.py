"""``stratagem report STORE``: metrics, leaderboard, tables, plots and a self-contained HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from games.core.errors import ParameterError


def _parse_weights(text: str | None) -> dict[str, float] | None:
    """``wr=1,csr=1,obr=1`` → weights (validated later by the metrics)."""
    if not text:
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise ParameterError(
                f"bad --weights entry {part!r}; expected e.g. wr=0.5,csr=0.3,obr=0.2"
            ) from None
    return out


def report(
    store: Annotated[Path, typer.Argument(help="Results store (SQLite) written by `stratagem run`.")],
    definitions: Annotated[
        str, typer.Option("--definitions", "-d", help="Metric definitions: stratagem | advgamebench.")
    ] = "stratagem",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output directory (default: <store>_report/).")
    ] = None,
    allow_mixed_fingerprints: Annotated[
        bool, typer.Option("--allow-mixed-fingerprints", help="Pool matches with different fingerprints.")
    ] = False,
    weights: Annotated[
        str | None, typer.Option("--weights", help="Composite weights, e.g. wr=0.5,csr=0.3,obr=0.2.")
    ] = None,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap resamples for the intervals.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 0,
    answer_rate: Annotated[
        bool,
        typer.Option(
            "--answer-rate/--no-answer-rate",
            help="Add the answer rate (stratagem definitions; cached in the store when it is writable).",
        ),
    ] = True,
    ar_sims: Annotated[
        int | None,
        typer.Option("--ar-sims", help="Answer-rate search budget per decision (default 64).", min=1),
    ] = None,
    ar_workers: Annotated[
        int | None,
        typer.Option("--ar-workers", help="Worker processes for the answer rate (default: CPUs).", min=1),
    ] = None,
    corr_min_models: Annotated[
        int,
        typer.Option(
            "--corr-min-models",
            help="Fewest models for correlations across models to be drawn in report.html (at least 3).",
            min=3,
        ),
    ] = 5,
    matches: Annotated[
        bool | None,
        typer.Option(
            "--matches/--no-matches",
            help="Write the match viewer: matches/index.html and one replay page per match"
            " (default: for stores of up to 2,000 matches).",
        ),
    ] = None,
) -> None:
    """Write metrics.csv, leaderboard.md/.csv, per-game and correlation tables, plots and report.html."""
    from harness.cli.out_dirs import check_output_dir
    from metrics.aggregate import normalise_weights
    from metrics.answer_rate import DEFAULT_SIMS
    from metrics.compute import DEFINITIONS  # lazy: keep `stratagem --help` fast
    from metrics.frames import SCHEMA_VERSION
    from metrics.store_file import check_store_file

    # Every check before any work (the answer rate caches into the store) and before matplotlib is
    # imported (it writes its font cache): bad input is one line, and nothing is written.
    if definitions not in DEFINITIONS:
        raise ParameterError(f"unknown --definitions {definitions!r}; known: {', '.join(DEFINITIONS)}")
    for option, value in (("--n-boot", n_boot), ("--seed", seed)):
        if value < 0:
            raise ParameterError(f"{option}: must be at least 0 (got {value})")
    parsed_weights = _parse_weights(weights)
    normalise_weights(parsed_weights)  # validates them (the metrics normalise them again)
    check_store_file(store, SCHEMA_VERSION)
    out_dir = out if out is not None else store.with_name(f"{store.stem}_report")
    check_output_dir(out_dir)
    import pandas as pd
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from metrics.report import write_report
    from metrics.report.leaderboard_view import ranked
    from metrics.report.ranks import rank_text
    from metrics.report.tables import fmt_num

    bar = Progress(
        TextColumn("match pages"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not Console(stderr=True).is_terminal,
    )
    task = bar.add_task("pages", total=None)

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        res = write_report(
            store,
            out_dir,
            definitions=definitions,
            weights=parsed_weights,
            n_boot=n_boot,
            seed=seed,
            allow_mixed=allow_mixed_fingerprints,
            answer_rate=answer_rate,
            ar_sims=ar_sims if ar_sims is not None else DEFAULT_SIMS,
            ar_workers=ar_workers,
            corr_min_models=corr_min_models,
            match_pages=matches,
            on_progress=progress,
        )
    for note in res.notes:
        typer.echo(note)
    if res.answers is not None:
        typer.echo(res.answers.cache_summary())
    board = ranked(res.leaderboard)
    if not board.empty and "rating" in board.columns:
        typer.echo("Top of the leaderboard (ranked by rating; a rank range where the intervals overlap):")
        for _, row in board.head(5).iterrows():
            span = None if pd.isna(row["rank_best"]) else (int(row["rank_best"]), int(row["rank_worst"]))
            typer.echo(
                f"  {rank_text(span):>5}  {row['model']}: rating {fmt_num(row['rating'])}"
                f", composite {fmt_num(row.get('composite'))}"  # undefined is —, as in the tables
            )
    if res.undefined:
        typer.echo("Undefined values (—):")
        for note in res.undefined:
            typer.echo(f"  {note}")
    typer.echo(f"Wrote {len(res.files)} files to {out_dir} (open {out_dir / 'report.html'}).")


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""
    app.command("report")(report)
