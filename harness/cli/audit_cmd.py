"""``stratagem audit GAME``: is a game a fair measuring instrument? (``docs/audit.md``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from games.core.errors import ParameterError
from games.core.naming import parse_variant
from games.refs import RULESET_KEY, GameRef, game_ref
from harness.cli.out_dirs import check_output_dir

console = Console()
err_console = Console(stderr=True)


def resolve_game(game: str, ruleset: str | None, params: list[str]) -> GameRef:
    """The game named by ``GAME[@ruleset=R,k=v]`` plus ``--ruleset`` and ``--params k=v`` options.

    Raises:
        ParameterError: A malformed ``k=v``, a parameter given twice, or two different rulesets.
        UnknownNameError: Unknown game or ruleset.
    """
    variant = parse_variant(game.strip())
    merged: dict[str, Any] = dict(variant.params)
    named = merged.pop(RULESET_KEY, None)
    for item in params:
        extra = parse_variant(f"x@{item}").params
        if not extra:
            raise ParameterError(f"bad --params {item!r}: expected key=value")
        for key, value in extra.items():
            if key in merged or key == RULESET_KEY:
                raise ParameterError(f"parameter {key!r} given twice (use --ruleset for the ruleset)")
            merged[key] = value
    if named is not None and ruleset is not None and str(named) != ruleset:
        raise ParameterError(f"two rulesets named: {named} in {game!r} and --ruleset {ruleset}")
    chosen = ruleset if ruleset is not None else (None if named is None else str(named))
    return game_ref(variant.base, chosen, merged)


def audit_command(
    game: Annotated[
        str,
        typer.Argument(help="Game, optionally with ruleset and parameters: elemental_duel@ruleset=v1."),
    ],
    ruleset: Annotated[
        str | None, typer.Option("--ruleset", help="Ruleset to audit (default: the game's default, v2).")
    ] = None,
    params: Annotated[
        list[str] | None,
        typer.Option("--params", help="A game parameter override key=value (repeatable)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="The audit's seed (same seed: same report).")] = 0,
    size: Annotated[
        str,
        typer.Option(
            "--size",
            help="How hard to look: small (seconds), default (≤ 5 min a game on 2 cores), large.",
        ),
    ] = "default",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (default: results/audit/GAME-RULESET-seedS)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Audit GAME as a measuring instrument: can both sides win, and is good play hard to find?

    Builds plan populations for both sides (random plans, the bots' plans, hill climbing, then double
    oracle: best responses to the other side's equilibrium mix until search finds no improvement), attacks
    every plan that nothing beats with a targeted search, simulates every pair, and solves the zero-sum
    game with scipy's linprog (HiGHS). Writes audit.json, audit.md and payoff_heatmap.png, and prints the
    summary against the fairness targets. Exit 0 whether or not the targets are met: the audit measures,
    it does not judge. Method and limits: docs/audit.md.
    """
    # lazy: games.analysis imports scipy (half a second), which every other command would pay for
    from games.analysis.audit import audit
    from games.analysis.population import SIZES
    from harness.audit import summary_rows, write_audit

    if size not in SIZES:
        raise ParameterError(f"unknown --size {size!r}; choose one of {', '.join(SIZES)}")
    ref = resolve_game(game, ruleset, params or [])
    # Checked before minutes of work; the folder itself is made when the files are written.
    folder = check_output_dir(out or Path("results") / "audit" / f"{ref.name}-{ref.ruleset}-seed{seed}")
    g = ref.make()
    started = time.monotonic()
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[stage]}[/bold] {task.fields[detail]}"),
        TextColumn("{task.completed:,.0f} simulations"),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("audit", total=None, stage="starting", detail="")
        result = audit(
            g,
            seed=seed,
            size=size,
            on_stage=lambda stage, detail: bar.update(task, stage=stage, detail=detail),
            on_sims=lambda n: bar.advance(task, n),
        )
    seconds = time.monotonic() - started
    files = write_audit(folder, result.report, result.matrix)
    table = Table(title=f"Audit: {ref} (seed {seed}, size {size}, {seconds:.1f} s)")
    for col in ("measure", "value", "target", "verdict"):
        table.add_column(col)
    for row in summary_rows(result.report):
        table.add_row(*row)
    console.print(table)
    console.print(f"Wrote {', '.join(str(f) for f in files)}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command to ``app``."""
    app.command("audit")(audit_command)
