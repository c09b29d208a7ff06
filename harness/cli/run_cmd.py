"""``stratagem play``, ``run``, ``show`` and ``export``: one match live, a batch, a replay, an export.

``play`` itself lives in :mod:`harness.cli.play`; this module wires it.

Exit codes: 0 ok, 2 bad input (config, names, store conflicts, replay-only cache miss), 130 interrupted.
Every user error is one line on stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from games.core.errors import StratagemError, UserError
from games.core.types import canonical_json

T = TypeVar("T")
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    _err().print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(EXIT_BAD_INPUT)


def _guarded(fn: Callable[[], T]) -> T:
    """Run ``fn``: bad input and cache misses exit 2, other deliberate errors 1, Ctrl-C 130; one line each."""
    from harness.models.types import CacheMiss

    try:
        return fn()
    except (UserError, CacheMiss) as exc:
        raise _fail(" ".join(str(exc).split())) from None
    except StratagemError as exc:  # raised on purpose but not bad input (e.g. a lost Ray worker): exit 1
        _err().print(f"[red]error:[/red] {escape(' '.join(str(exc).split()))}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:  # play, or a second Ctrl-C during run: what finished is already stored
        _err().print("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None


# ---------------------------------------------------------------------------------------------- run
@dataclass(frozen=True)
class RayChoice:
    """``run --executor ray`` and its options."""

    enabled: bool
    workers: int | None = None
    address: str | None = None


def _run(
    target: str,
    store_path: str | None,
    allow_mixed: bool,
    quiet: bool,
    max_matches: int | None,
    dry_run: bool,
    ray: RayChoice | None = None,
) -> int:
    from harness.experiments import expand, load_experiment
    from harness.runner import RunOptions, RunStats, check_store_compatible, model_settings_for, run_jobs
    from harness.store import ResultStore

    config = load_experiment(target)  # validation first: a bad file writes nothing
    if ray is not None and ray.enabled and not dry_run:
        from harness.runner.ray_executor import require_ray

        require_ray()  # before the store is created
    jobs = expand(config)
    path = Path(store_path or config.store_path())
    err = _err()
    if dry_run:
        done: set[str] = set()
        if path.exists():
            with ResultStore(path, create=False) as existing:
                done = existing.finished_ids()
        left = sum(1 for j in jobs if j.match_id not in done)
        fps = len({j.fingerprint for j in jobs})
        print(
            f"{config.name}: {len(jobs)} matches ({fps} fingerprints),"
            f" {len(jobs) - left} already in {path}, {left} to play"
        )
        return 0
    with ResultStore(path) as store:
        check_store_compatible(store, jobs, allow_mixed=allow_mixed)
        run_id = store.start_run(config.name, canonical_json(config.model_dump(mode="json")))
        options = RunOptions(
            max_matches=max_matches or config.max_matches,
            max_tries=config.max_tries,
            model_settings=model_settings_for(
                config.concurrency, config.cache.mode, config.cache.path, config.http_backend
            ),
            progress=False if quiet else None,
        )
        stats = RunStats()
        if not quiet:
            err.print(f"{escape(config.name)}: {len(jobs)} matches → {escape(str(path))}")
        try:
            if ray is not None and ray.enabled:
                from harness.runner.ray_executor import run_jobs_ray

                run_jobs_ray(
                    jobs,
                    store,
                    run_id=run_id,
                    options=options,
                    stats=stats,
                    address=ray.address,
                    workers=ray.workers,
                )
            else:
                run_jobs(jobs, store, run_id=run_id, options=options, stats=stats)
        finally:
            if not quiet:
                err.print(escape(stats.summary()))
    return EXIT_INTERRUPTED if stats.interrupted else 0


# ---------------------------------------------------------------------------------------------- show
_LIST_COLUMNS = (
    "match_id",
    "game",
    "ruleset",
    "model_a",
    "model_b",
    "first_reviser",
    "seed",
    "repetition",
    "status",
    "winner",
    "n_rounds",
)


def _list_matches(store: Any, console: Console) -> None:
    """A table on a terminal; tab-separated lines (with a header) when piped, for scripts."""
    rows = [[str(m[c]) if m[c] is not None else "-" for c in _LIST_COLUMNS] for m in store.iter_matches()]
    if not console.is_terminal:
        print("\t".join(_LIST_COLUMNS))
        for r in rows:
            print("\t".join(r))
        return
    table = Table(title=f"{store.path}", title_justify="left")
    for col in (
        "match id",
        "game",
        "ruleset",
        "A",
        "B",
        "first",
        "seed",
        "rep",
        "status",
        "winner",
        "rounds",
    ):
        table.add_column(col, no_wrap=col in ("match id", "game"))
    for r in rows:
        table.add_row(*(escape(v) for v in r))
    console.print(table)
    console.print(f"{len(rows)} matches", style="dim")


def _show(store_path: str, match_id: str | None, show_prompts: bool, decisions: bool) -> int:
    from games.registry import get_game
    from harness.protocol.transcript import match_renderables
    from harness.store import ResultStore

    console = Console()
    with ResultStore(store_path, create=False) as store:
        if match_id is None:
            _list_matches(store, console)
            return 0
        row = store.find_match(match_id)
        if row is None:
            raise UserError(f"no match {match_id!r} in {store_path}")
        try:
            game = get_game(row["game"], ruleset=row.get("ruleset") or None)
            labels: dict[str, str] | None = {s.key: s.label for s in game.sides}
        except (UserError, ImportError, AttributeError):
            labels = None
        for part in match_renderables(
            row,
            store.rounds(row["match_id"]),
            store.decisions(row["match_id"]),
            labels=labels,
            show_decisions=decisions,
            show_prompts=show_prompts,
        ):
            console.print(part)
    return 0


# ---------------------------------------------------------------------------------------------- export
def _export(store_path: str, fmt: str, out: str) -> int:
    from harness.store import export_store

    def note(message: str) -> None:  # e.g. matches of other rulesets left out of an advgamebench export
        _err().print(escape(message))

    files = export_store(store_path, out, fmt, on_note=note)  # type: ignore[arg-type]  # checked inside
    for f in files:
        print(f)
    return 0


# ---------------------------------------------------------------------------------------------- wiring
def register(app: typer.Typer) -> None:
    """Add ``play``, ``run``, ``show`` and ``export`` to ``app``."""

    @app.command("run")
    def run_command(
        target: Annotated[
            str, typer.Argument(help="A preset name (bots, advgamebench, smoke) or an experiment YAML file.")
        ] = "bots",
        store: Annotated[
            str | None, typer.Option("--store", help="Store file (default: the experiment's).")
        ] = None,
        allow_mixed: Annotated[
            bool, typer.Option("--allow-mixed", help="Allow results of other experiments in the store.")
        ] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no summary.")] = False,
        max_matches: Annotated[
            int | None,
            typer.Option(
                "--concurrency", min=1, help="Matches in flight at once (default: the experiment's setting)."
            ),
        ] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count the matches.")] = False,
        executor: Annotated[
            Literal["asyncio", "ray"],
            typer.Option(
                "--executor",
                help="asyncio (one process) or ray (worker processes; for CPU-bound bot matches; "
                'needs pip install -e ".[ray]").',
            ),
        ] = "asyncio",
        workers: Annotated[
            int | None, typer.Option("--workers", min=1, help="ray: worker processes (default: the CPUs).")
        ] = None,
        ray_address: Annotated[
            str | None,
            typer.Option("--ray-address", help="ray: a cluster to join (default: start one here)."),
        ] = None,
    ) -> None:
        """Run an experiment, resumably; with no argument, the offline bots preset."""
        ray = RayChoice(executor == "ray", workers, ray_address)
        code = _guarded(lambda: _run(target, store, allow_mixed, quiet, max_matches, dry_run, ray))
        raise typer.Exit(code)

    @app.command("play")
    def play_command(
        game: Annotated[
            str,
            typer.Option(
                "--game",
                "-g",
                help="Game name, optionally with a ruleset and parameters: battle_card@ruleset=v1 "
                "(default ruleset: v2).",
            ),
        ],
        a: Annotated[str, typer.Option("--a", help="Side A model, e.g. bot/greedy or openai/gpt-4.1.")],
        b: Annotated[str, typer.Option("--b", help="Side B model.")],
        rounds: Annotated[int, typer.Option("--rounds", help="The rounds setting R.")] = 10,
        seed: Annotated[int, typer.Option("--seed", min=0)] = 0,
        feedback: Annotated[str, typer.Option("--feedback", help="outcome or detailed.")] = "outcome",
        revision: Annotated[
            str, typer.Option("--revision", help="alternate, simultaneous or none.")
        ] = "alternate",
        first_reviser: Annotated[str, typer.Option("--first-reviser", help="A or B.")] = "A",
        invalid_plan_policy: Annotated[str, typer.Option("--invalid-plan-policy")] = "keep_previous",
        initial_attempts: Annotated[int | None, typer.Option("--initial-attempts")] = None,
        show_prompts: Annotated[
            bool, typer.Option("--show-prompts", help="Print prompts and raw replies.")
        ] = False,
        plan_schema: Annotated[
            bool, typer.Option("--plan-schema", help="Constrain LLM replies by the plan JSON Schema.")
        ] = False,
        store: Annotated[
            str | None, typer.Option("--store", help="Also write the match to this store.")
        ] = None,
        allow_mixed: Annotated[bool, typer.Option("--allow-mixed")] = False,
    ) -> None:
        """Play one match with a live round-by-round transcript."""
        from harness.cli.play import play_match

        code = _guarded(
            lambda: play_match(
                game,
                a,
                b,
                rounds=rounds,
                seed=seed,
                feedback=feedback,
                revision=revision,
                first_reviser=first_reviser,
                invalid_plan_policy=invalid_plan_policy,
                initial_attempts=initial_attempts,
                show_prompts=show_prompts,
                plan_schema=plan_schema,
                store_path=store,
                allow_mixed=allow_mixed,
            )
        )
        raise typer.Exit(code)

    @app.command("show")
    def show_command(
        store: Annotated[str, typer.Argument(help="A results store.")],
        match_id: Annotated[
            str | None, typer.Argument(help="Match id (or a unique prefix); omit to list.")
        ] = None,
        show_prompts: Annotated[bool, typer.Option("--show-prompts", help="Print raw replies.")] = False,
        decisions: Annotated[bool, typer.Option("--decisions/--no-decisions")] = True,
    ) -> None:
        """List a store's matches, or replay one round by round."""
        raise typer.Exit(_guarded(lambda: _show(store, match_id, show_prompts, decisions)))

    @app.command("export")
    def export_command(
        store: Annotated[str, typer.Argument(help="A results store.")],
        out: Annotated[str, typer.Option("--out", help="Output folder.")],
        fmt: Annotated[Literal["csv", "parquet", "advgamebench"], typer.Option("--format")] = "csv",
    ) -> None:
        """Export matches, rounds and decisions (sorted, volatile columns dropped), or the original CSVs.

        ``--format advgamebench`` exports ruleset v1 matches only (the original evaluator's games).
        """
        raise typer.Exit(_guarded(lambda: _export(store, fmt, out)))
