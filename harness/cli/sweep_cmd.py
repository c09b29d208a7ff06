"""``stratagem sweep``: one experiment played at several points of its parameters, into one store.

The points come from the file's ``sweep:`` block and ``--vary PATH=V1,V2,…`` options
(:mod:`harness.experiments.sweep`); everything is checked before the store is opened (exit 2, one line
naming the path and what is allowed). The run is one resumable run through the same runner as ``stratagem
run`` (:func:`harness.runner.run_jobs`, or the Ray executor): the writer lease first, then the store check,
then the jobs of every point in order. A rerun skips finished matches; ``--max-matches`` stops early.

The store check is the fingerprint half of :func:`harness.runner.check_store_compatible`: the points
share the coordinates ``(game, models, first_reviser, seed, repetition)`` by design, so its identity half
would refuse to resume a sweep; a store holding fingerprints the sweep does not make, while the sweep
makes some it does not hold, is refused unless ``--allow-mixed``.

Exit codes as ``stratagem run``: 0, 1 (a lost Ray worker or lease), 2 bad input, 4 incomplete, 130.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape

from harness.cli.common import EXIT_INTERRUPTED, err, guarded

if TYPE_CHECKING:
    from harness.experiments import ExperimentConfig, SweepPlan
    from harness.store import ResultStore

__all__ = ["register", "sweep_store_path"]


def sweep_store_path(config: ExperimentConfig, from_file: bool) -> Path:
    """The default store of a sweep.

    A file with a ``sweep:`` block describes the sweep, so its store is the file's (``store:`` or
    ``results/<name>.sqlite``); a sweep made only of ``--vary`` options goes beside the experiment's own
    store, as ``<store>-sweep.sqlite``, so that it never meets the experiment's ordinary results.
    """
    own = Path(config.store_path())
    return own if from_file else own.with_name(f"{own.stem}-sweep{own.suffix or '.sqlite'}")


def _check_store(store: ResultStore, plan: SweepPlan, allow_mixed: bool) -> None:
    """Refuse to mix the sweep with other results (see the module docstring)."""
    from harness.store.store import StoreError

    if allow_mixed:
        return
    existing = store.fingerprints()
    wanted = plan.fingerprints()
    if existing and (existing - wanted) and (wanted - existing):
        raise StoreError(
            f"{store.path} holds results of another experiment or sweep (fingerprints"
            f" {', '.join(sorted(existing - wanted)[:3])}{'…' if len(existing - wanted) > 3 else ''})"
            " that this sweep would mix with its own; use another --store, or --allow-mixed"
        )


def _matches(n: int) -> str:
    return f"{n} match" if n == 1 else f"{n} matches"


def _dry_run(plan: SweepPlan, path: Path, limit: int | None) -> None:
    """One line per point (index, values, matches, how many are stored), then the total."""
    from harness.runner.queue import count_finished
    from harness.store import ResultStore

    counts: list[int] = []
    if path.exists():
        with ResultStore(path, readonly=True) as existing:
            any_stored = existing.has_matches()
            counts = [count_finished(existing, jobs) if any_stored else 0 for _, jobs in plan.plans()]
    total = stored = 0
    points = f"{len(plan.points)} point{'' if len(plan.points) == 1 else 's'}"
    print(f"{plan.config.name}: sweep of {points} ({plan.spec.mode}) → {path}")
    for i, (point, jobs) in enumerate(plan.plans()):
        n, done = len(jobs), counts[i] if counts else 0
        total, stored = total + n, stored + done
        base = " (base)" if point.base else ""
        print(f"  point {point.index}{base}: {point.label()}: {_matches(n)}, {done} stored")
    left = total - stored
    print(
        f"total: {_matches(total)} in {points} ({len(plan.fingerprints())} fingerprints),"
        f" {stored} already in {path}, {left} to play"
        + (f" ({min(left, limit)} with --max-matches {limit})" if limit is not None else "")
    )


def _sweep(
    target: str,
    vary: list[str],
    mode: Literal["grid", "zip"] | None,
    store_path: str | None,
    allow_mixed: bool,
    quiet: bool,
    concurrency: int | None,
    dry_run: bool,
    limit: int | None,
    wait: bool,
    ray: tuple[bool, int | None, str | None],
) -> int:
    from harness.experiments import SweepPlan, load_sweep_experiment, merge, parse_vary_option
    from harness.runner import RunOptions, RunStats, model_settings_for, run_jobs
    from harness.runner.preflight import (
        EXIT_INCOMPLETE,
        MissingCredentials,
        credential_problem,
        incomplete_line,
    )
    from harness.store import ResultStore

    # Everything is checked before any file is touched: the experiment, then the sweep, then keys.
    config, file_spec = load_sweep_experiment(target)
    spec = merge(file_spec, [parse_vary_option(v) for v in vary], mode)
    plan = SweepPlan(config, spec)
    use_ray, workers, address = ray
    if use_ray and not dry_run:
        from harness.runner.ray_executor import require_ray

        require_ray()
    path = Path(store_path) if store_path else sweep_store_path(config, file_spec is not None)
    console = err()
    replay = config.cache.mode == "replay-only"
    missing_keys = None if replay else credential_problem(config.all_models())
    if dry_run:
        _dry_run(plan, path, limit)
        if missing_keys is not None:
            console.print(f"[yellow]warning:[/yellow] {escape(missing_keys)}; the sweep would be refused")
        return 0
    if missing_keys is not None:
        raise MissingCredentials([missing_keys])
    with ResultStore(path) as store:
        lease = store.acquire_lease(
            f"stratagem sweep {config.name}", wait=wait, on_wait=lambda line: console.print(escape(line))
        )
        if lease.took_over is not None:
            console.print(escape(f"took over the writer lease of {lease.took_over}"))
        _check_store(store, plan, allow_mixed)
        run_id = store.start_run(config.name, plan.run_config_json())
        options = RunOptions(
            max_matches=concurrency or config.max_matches,
            max_tries=config.max_tries,
            model_settings=model_settings_for(
                config.concurrency,
                config.cache.mode,
                config.cache.path,
                config.http_backend,
                config.empty_reply,
            ),
            progress=False if quiet else None,
            limit=limit,
        )
        stats = RunStats()
        if not quiet:
            console.print(
                f"{escape(config.name)}: sweep of {len(plan.points)} points, {len(plan)} matches"
                f" → {escape(str(path))}"
            )
        try:
            if use_ray:
                from harness.runner.ray_executor import run_jobs_ray

                run_jobs_ray(
                    plan, store, run_id=run_id, options=options, stats=stats, address=address, workers=workers
                )
            else:
                run_jobs(plan, store, run_id=run_id, options=options, stats=stats)
        finally:
            if not quiet:
                console.print(escape(stats.summary()))
                if limit is not None and stats.done < stats.total and not stats.interrupted:
                    left = stats.total - stats.done
                    console.print(f"stopped at --max-matches {limit}: {left} to play; run again to go on")
    if stats.interrupted:
        return EXIT_INTERRUPTED
    if stats.voided:
        console.print(escape(incomplete_line(stats.voided)))
        return EXIT_INCOMPLETE
    return 0


def register(app: typer.Typer) -> None:
    """Add ``sweep`` to ``app``."""

    @app.command("sweep")
    def sweep_command(
        target: Annotated[
            str, typer.Argument(help="An experiment YAML file (with or without a sweep: block) or a preset.")
        ],
        vary: Annotated[
            list[str] | None,
            typer.Option(
                "--vary",
                help="PATH=V1,V2,… (repeatable; values read as YAML scalars). PATH:"
                " games.<game>.params.<name>, games.<game>.ruleset or protocol.<setting>."
                " Replaces the file's values of PATH.",
            ),
        ] = None,
        mode: Annotated[
            Literal["grid", "zip"] | None,
            typer.Option(
                "--mode", help="grid: every combination (the default); zip: the i-th values together."
            ),
        ] = None,
        store: Annotated[
            str | None,
            typer.Option(
                "--store",
                help="Store file (default: the file's store when it has a sweep: block,"
                " else <store>-sweep.sqlite).",
            ),
        ] = None,
        allow_mixed: Annotated[
            bool, typer.Option("--allow-mixed", help="Allow results of other experiments in the store.")
        ] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no summary.")] = False,
        concurrency: Annotated[
            int | None,
            typer.Option(
                "--concurrency", min=1, help="Matches in flight at once (default: the experiment's)."
            ),
        ] = None,
        dry_run: Annotated[
            bool,
            typer.Option(
                "--dry-run", help="Print the points with their match counts (and how many are stored)."
            ),
        ] = False,
        limit: Annotated[
            int | None,
            typer.Option(
                "--max-matches",
                min=1,
                help="Play at most N of the matches still to play; run again to go on.",
            ),
        ] = None,
        executor: Annotated[
            Literal["asyncio", "ray"],
            typer.Option(
                "--executor", help="asyncio (one process) or ray (worker processes; the [ray] extra)."
            ),
        ] = "asyncio",
        workers: Annotated[
            int | None, typer.Option("--workers", min=1, help="ray: worker processes.")
        ] = None,
        ray_address: Annotated[
            str | None, typer.Option("--ray-address", help="ray: a cluster to join.")
        ] = None,
        wait: Annotated[
            bool, typer.Option("--wait", help="If another process is writing the store, wait for it.")
        ] = False,
    ) -> None:
        """Play an experiment at every point of a parameter sweep, into one store, resumably.

        Points: the paths in the order given, their values in the order given; grid is every combination
        (the last path changes fastest), zip the i-th values of all paths. Every match stores its point in
        settings_json ("sweep": {"point": {PATH: VALUE}, "index": I, "base": true|false}).

        Exit codes: as run (0, 2 bad input or an invalid sweep value, 4 incomplete, 130 interrupted).
        """
        ray = (executor == "ray", workers, ray_address)
        code = guarded(
            lambda: _sweep(
                target, vary or [], mode, store, allow_mixed, quiet, concurrency, dry_run, limit, wait, ray
            )
        )
        raise typer.Exit(code)
