"""``stratagem run`` and ``play``: a batch, and one match live (``play`` itself is :mod:`harness.cli.play`).

Both write a store, so both first take its writer lease (:mod:`harness.store.lease`): a second writer is
refused with exit 2 before it plays anything, or with ``--wait`` waits for the lease. ``show`` and
``export`` (read-only) are in :mod:`harness.cli.store_cmd`.

``run --adaptive`` plays in batches until the leaderboard is settled (:mod:`harness.runner.adaptive`);
``run [--adaptive] --max-cost USD`` stops cleanly before the spend would pass the limit
(:mod:`harness.runner.budget`). Both stop with exit 0 and one line saying how to go on.

Exit codes: 0 ok, 1 a deliberate non-input error (a lost Ray worker, a lost lease), 2 bad input (config,
names, store paths, a store in use or read-only, a replay-only cache miss, a missing API key, a fatal
provider error), 4 incomplete (the run ended with voided matches; rerun to retry them), 130 interrupted.
Every error is one line on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape

from games.core.rounds import ROUNDS_HELP
from games.core.types import canonical_json
from harness.cli.common import EXIT_BAD_INPUT, EXIT_INTERRUPTED, err, guarded

if TYPE_CHECKING:
    from harness.experiments.config import ExperimentConfig
    from harness.runner import RunOptions
    from harness.runner.adaptive import AdaptiveOptions
    from harness.runner.steer import Steering
    from harness.store import ResultStore

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "RayChoice", "register"]

_guarded = guarded  # the name this module had before the split (tests import it)


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
    wait: bool = False,
    limit: int | None = None,
    steer: Steering | None = None,
) -> int:
    from harness.experiments import JobPlan, load_experiment
    from harness.runner import RunOptions, RunStats, check_store_compatible, model_settings_for, run_jobs
    from harness.runner.adaptive_plan import check_adaptive, dry_run_line
    from harness.runner.budget import check_priced
    from harness.runner.guard import plan_fingerprints
    from harness.runner.preflight import (
        EXIT_INCOMPLETE,
        MissingCredentials,
        credential_problem,
        incomplete_line,
    )
    from harness.runner.queue import count_finished
    from harness.runner.steer import Steering
    from harness.store import ResultStore

    steer = steer or Steering()
    steer.check(ray=ray is not None and ray.enabled)
    config = load_experiment(target)  # validation first: a bad file writes nothing
    if steer.adaptive:
        check_adaptive(config)
    if ray is not None and ray.enabled and not dry_run:
        from harness.runner.ray_executor import require_ray

        require_ray()  # before the store is created
    jobs = JobPlan(config)  # lazy: the jobs are made as they are played, never all listed
    path = Path(store_path or config.store_path())
    console = err()
    # Before the first match (and in a dry run); a replay-only run never calls a provider.
    replay = config.cache.mode == "replay-only"
    missing_keys = None if replay else credential_problem(config.all_models())
    if missing_keys is not None and not dry_run:
        raise MissingCredentials([missing_keys])
    settings = model_settings_for(
        config.concurrency, config.cache.mode, config.cache.path, config.http_backend, config.empty_reply
    )
    if steer.max_cost is not None and not dry_run:  # an unknown price: refused before the store is made
        check_priced(config.all_models(), settings.prices, steer.max_cost)
    if dry_run:
        stored = 0
        if path.exists():  # counted a chunk of planned ids per query, nothing listed
            with ResultStore(path, readonly=True) as existing:
                stored = count_finished(existing, jobs) if existing.has_matches() else 0
        left = len(jobs) - stored
        fps = len(plan_fingerprints(jobs))
        print(
            f"{config.name}: {len(jobs)} matches ({fps} fingerprints),"
            f" {len(jobs) - left} already in {path}, {left} to play"
            + (f" ({min(left, limit)} with --max-matches {limit})" if limit is not None else "")
        )
        from harness.estimate import estimate_run, format_estimate

        estimate = estimate_run(jobs, config=config, store=path, max_matches=max_matches, limit=limit)
        for line in format_estimate(estimate):
            print(line)
        if steer.adaptive:
            print(dry_run_line(config, limit))
        if missing_keys is not None:  # counting needs no key; running would be refused
            console.print(f"[yellow]warning:[/yellow] {escape(missing_keys)}; the run would be refused")
        return 0
    with ResultStore(path) as store:
        # the lease first (one transaction), then the checks: a second writer is refused before it plays
        lease = store.acquire_lease(
            f"stratagem run {config.name}", wait=wait, on_wait=lambda line: console.print(escape(line))
        )
        if lease.took_over is not None:
            console.print(escape(f"took over the writer lease of {lease.took_over}"))
        check_store_compatible(store, jobs, allow_mixed=allow_mixed)
        run_id = store.start_run(config.name, canonical_json(config.model_dump(mode="json")))
        budget = None
        if steer.max_cost is not None:
            from harness.runner.steer import adaptive_budget, plan_budget

            budget = (
                adaptive_budget(store, config, settings.prices, steer.max_cost)
                if steer.adaptive
                else plan_budget(store, jobs, config, settings.prices, steer.max_cost)
            )
        options = RunOptions(
            max_matches=max_matches or config.max_matches,
            max_tries=config.max_tries,
            model_settings=settings,
            progress=False if quiet else None,
            limit=limit,
            budget=budget,
        )
        if steer.adaptive:
            return _run_adaptive(config, store, run_id, options, steer.adaptive_options(limit), quiet)
        stats = RunStats()
        if not quiet:
            console.print(f"{escape(config.name)}: {len(jobs)} matches → {escape(str(path))}")
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
                console.print(escape(stats.summary()))
                if limit is not None and stats.done < stats.total and not stats.interrupted:
                    left = stats.total - stats.done
                    console.print(f"stopped at --max-matches {limit}: {left} to play; run again to go on")
            if budget is not None and budget.stopped and not stats.interrupted:
                console.print(escape(budget.stop_line()))
    if stats.interrupted:
        return EXIT_INTERRUPTED
    if stats.voided:  # CI must not read a run with holes as a success
        console.print(escape(incomplete_line(stats.voided)))
        return EXIT_INCOMPLETE
    return 0


def _run_adaptive(
    config: ExperimentConfig,
    store: ResultStore,
    run_id: str,
    options: RunOptions,
    adaptive: AdaptiveOptions,
    quiet: bool,
) -> int:
    """``run --adaptive`` in a store whose lease this process holds (exit codes as ``run``'s)."""
    from harness.runner.adaptive import AdaptiveOutcome, run_adaptive
    from harness.runner.preflight import EXIT_INCOMPLETE, incomplete_line

    console = err()
    outcome = AdaptiveOutcome()
    if not quiet:
        console.print(
            f"{escape(config.name)}: adaptive, {len(config.models)} models, {len(config.games)} games,"
            f" confidence {adaptive.confidence:g} → {escape(str(store.path))}"
        )
    try:
        run_adaptive(config, store, run_id=run_id, options=options, adaptive=adaptive, outcome=outcome)
    finally:
        if not quiet:
            console.print(escape(outcome.stats.summary()))
            console.print(escape(outcome.summary(adaptive)))
        budget = options.budget
        if budget is not None and outcome.stop == "max_cost":
            console.print(escape(budget.stop_line()))
        elif outcome.stop == "max_matches":
            console.print(
                f"stopped at --max-matches {adaptive.max_matches}: {escape(outcome.criterion_text())};"
                " rerun with a higher limit to go on"
            )
    if outcome.stats.interrupted:
        return EXIT_INTERRUPTED
    if outcome.stats.voided:
        console.print(escape(incomplete_line(outcome.stats.voided)))
        return EXIT_INCOMPLETE
    return 0


# ---------------------------------------------------------------------------------------------- wiring
def register(app: typer.Typer) -> None:
    """Add ``run`` and ``play`` to ``app``."""

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
        dry_run: Annotated[
            bool,
            typer.Option(
                "--dry-run",
                help=(
                    "Count the matches and estimate calls, tokens, cost and wall time per model"
                    " (and warn of missing API keys)."
                ),
            ),
        ] = False,
        limit: Annotated[
            int | None,
            typer.Option(
                "--max-matches",
                min=1,
                help="Play at most N of the matches still to play, in plan order; run again to go on.",
            ),
        ] = None,
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
        wait: Annotated[
            bool,
            typer.Option(
                "--wait", help="If another process is writing the store, wait for it instead of refusing."
            ),
        ] = False,
        adaptive: Annotated[
            bool,
            typer.Option(
                "--adaptive",
                help="Play in batches of side-swapped pairs, each on the leaderboard's least certain"
                " adjacent pairs, until every adjacent pair is separated at --confidence (--max-matches:"
                " a total cap).",
            ),
        ] = False,
        confidence: Annotated[
            float | None,
            typer.Option("--confidence", help="--adaptive: the level of the separation (default 0.95)."),
        ] = None,
        n_boot: Annotated[
            int | None,
            typer.Option("--n-boot", help="--adaptive: bootstrap resamples per refit (default 200)."),
        ] = None,
        max_cost: Annotated[
            float | None,
            typer.Option(
                "--max-cost",
                help="Stop cleanly before the spend (USD; the store's matches of this run included) would"
                " pass this limit; rerun with a higher limit to go on.",
            ),
        ] = None,
    ) -> None:
        """Run an experiment, resumably; with no argument, the offline bots preset.

        The experiment's protocol.rounds R means, as in the original: battle_card and elemental_duel play
        R revision rounds → R+1 battles (the last labelled R again); tower_defense plays R battles with R−1
        revisions between them.

        Exit codes: 0 every match finished, 2 bad input (config, store, missing API key, a fatal provider
        error such as a rejected key or an unknown model), 4 incomplete (voided matches; rerun to retry
        them), 130 interrupted.
        """
        from harness.runner.steer import Steering

        ray = RayChoice(executor == "ray", workers, ray_address)
        steer = Steering(adaptive, confidence, n_boot, max_cost)
        code = guarded(
            lambda: _run(target, store, allow_mixed, quiet, max_matches, dry_run, ray, wait, limit, steer)
        )
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
        rounds: Annotated[int, typer.Option("--rounds", help=ROUNDS_HELP)] = 10,
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
        wait: Annotated[
            bool, typer.Option("--wait", help="Wait for another writer of --store instead of refusing.")
        ] = False,
    ) -> None:
        """Play one match with a live round-by-round transcript."""
        from harness.cli.play import play_match

        code = guarded(
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
                wait=wait,
            )
        )
        raise typer.Exit(code)
