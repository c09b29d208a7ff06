"""The asyncio runner: play match jobs, write finished matches to the store a small group per transaction.

* Jobs are taken from the plan as the run goes (a lazy :class:`~harness.experiments.expand.JobPlan`
  is never listed), with the resume check done a chunk of jobs per query (:mod:`harness.runner.queue`);
  ``RunOptions.limit`` plays only the first N matches still to play.

* Up to ``max_matches`` matches are in flight; each model call additionally waits for its provider's
  limit, which the model layer owns (one :class:`~harness.models.ModelSettings` per run, so both sides of
  a match — possibly different providers — share the run's limits).
* Jobs already finished in the store are skipped (resume). A match voided by infrastructure failures is
  put back at the end of the queue until it has been tried ``max_tries`` times, then written as voided.
* A match voided by a fatal provider error (bad key, unknown model, bad request) stops the run: no new
  match starts, the matches in flight finish and are written, and :class:`FatalModelError` is raised.
* Ctrl-C (SIGINT) cancels the matches in flight and returns after everything that finished is written; a
  second Ctrl-C aborts at once. A killed process loses at most the matches in flight and those finished
  in the last 0.2 s that were still waiting for their group's transaction (:mod:`harness.runner.writer`);
  it never stores half a match or a match twice.
* Bot-only matches are CPU-bound and run inline on the event loop: they make no I/O a thread could
  overlap, and the GIL would serialise them anyway. Workers yield to the loop every few milliseconds so
  the progress bar, the writer's timer and Ctrl-C stay responsive.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from games.core.game import Game
from games.core.types import canonical_json
from games.registry import get_game
from harness.experiments.identity import generation_dict
from harness.experiments.jobs import MatchJob
from harness.models.settings import ModelSettings
from harness.runner.budget import CostBudget, decisions_cost
from harness.runner.model_settings import model_settings_for
from harness.runner.preflight import FatalModelError, fatal_stop, is_fatal_void
from harness.runner.progress import ProgressView, RunStats
from harness.runner.queue import JobQueue, JobSource, Pending, pending_jobs, plan_pending
from harness.runner.writer import GROUP_DELAY_S, GROUP_MATCHES, GroupWriter
from harness.store.rows import finished_rows, voided_rows
from harness.store.store import ResultStore, utc_now

#: A worker playing matches that never wait (bots) gives the event loop a turn this often (seconds).
YIELD_EVERY_S = 0.005

__all__ = [
    "MatchResources",
    "Pending",
    "RunOptions",
    "model_settings_for",
    "pending_jobs",
    "play_job",
    "run_jobs",
    "run_jobs_async",
    "settle_finished",
    "settle_void",
]


@dataclass
class RunOptions:
    """How to run a list of jobs.

    Attributes:
        max_matches: Matches in flight at once.
        max_tries: Tries per match before it is stored as voided (1 = no re-queue).
        model_settings: The model layer's settings (cache, concurrency, …) shared by every match.
        progress: Show the progress bar (``None``: only when stderr is a terminal).
        handle_sigint: Install the Ctrl-C handler (off when the caller manages signals).
        limit: Play at most this many of the planned matches not yet stored, in plan order (``None``: all);
            a later run goes on from there (``stratagem run --max-matches``).
        group_matches: Finished matches written per transaction at most (:mod:`harness.runner.writer`).
        group_delay_s: Seconds a finished match waits at most before it is written.
        budget: The ``--max-cost`` ledger (:mod:`harness.runner.budget`): asked before each match starts;
            once it refuses one, no new match starts and those in flight finish and are stored.
        on_progress: Called with the run's statistics after each match is settled (a caller's own view).
        resources: Games and agents to share with other calls (``--adaptive`` plays batch after batch).
        plan_cache: The ``InitialPlanCache`` to share likewise.
    """

    max_matches: int = 64
    max_tries: int = 3
    model_settings: ModelSettings | None = None
    progress: bool | None = None
    handle_sigint: bool = True
    limit: int | None = None
    group_matches: int = GROUP_MATCHES
    group_delay_s: float = GROUP_DELAY_S
    budget: CostBudget | None = None
    on_progress: Callable[[RunStats], None] | None = None
    resources: MatchResources | None = None
    plan_cache: Any | None = None


class MatchResources:
    """What matches of one run share: game objects and agents.

    Games and agents are stateless between decisions (an agent's randomness derives from the request),
    so one agent per (model, generation config) serves every match of a run. Sharing matters for
    LLM agents: each holds a model wrapper whose SDK client owns a connection pool, and building
    hundreds of clients costs seconds and hundreds of MB.

    Args:
        model_settings: The model layer's settings (passed to every LLM agent).
    """

    def __init__(self, model_settings: ModelSettings | None = None) -> None:
        self.model_settings = model_settings
        self._games: dict[tuple[str, str, str], Game[Any]] = {}
        self._agents: dict[tuple[str, ...], Any] = {}

    def game(self, job: MatchJob) -> Game[Any]:
        """The (shared) game object of ``job``."""
        key = (job.game, job.ruleset, job.params_json())
        game = self._games.get(key)
        if game is None:
            game = self._games[key] = get_game(job.game, job.params, job.ruleset)
        return game

    def agent(self, job: MatchJob, side: str) -> Any:
        """The (shared) agent playing ``side`` of ``job``."""
        from harness.agents import make_agent

        model, generation, schema = (
            (job.model_a, job.generation_a, job.plan_schema_a)
            if side == "A"
            else (job.model_b, job.generation_b, job.plan_schema_b)
        )
        # Not keyed by game: agents take the game from each request (make_agent only checks bot names).
        key = (model, "null" if generation is None else canonical_json(generation_dict(generation, schema)))
        agent = self._agents.get(key)
        if agent is None:
            agent = self._agents[key] = make_agent(
                model,
                game=self.game(job),
                model_settings=self.model_settings,
                generation=generation,
                plan_schema=schema,
            )
        return agent


async def play_job(
    job: MatchJob,
    *,
    resources: MatchResources | None = None,
    plan_cache: Any | None = None,
    on_round: Callable[[Any], None] | None = None,
    on_decision: Callable[[Any], None] | None = None,
) -> Any:
    """Play one job and return the protocol's ``MatchResult`` (raises ``MatchVoided`` / ``CacheMiss``).

    Args:
        job: The job.
        resources: The run's shared games and agents (a private set when omitted).
        plan_cache: The run's ``InitialPlanCache`` (used when the job's ``initial_plans`` is ``shared``).
        on_round: Called with each ``RoundRecord`` as it is made.
        on_decision: Called with each ``DecisionRecord`` as it is made.
    """
    from harness.protocol.match import play_match
    from harness.protocol.settings import MatchSettings

    res = resources if resources is not None else MatchResources()
    settings = MatchSettings(**job.settings)
    return await play_match(
        res.game(job),
        res.agent(job, "A"),
        res.agent(job, "B"),
        settings,
        seed=job.seed,
        match_id=job.match_id,
        initial_plans=plan_cache if settings.initial_plans == "shared" else None,
        on_round=on_round,
        on_decision=on_decision,
    )


def _count_decisions(stats: RunStats, decisions: Sequence[Any]) -> None:
    for d in decisions:  # DecisionRecord attributes (to_row() would copy every field)
        if d.failure_class != "ok":
            stats.failures[str(d.failure_class)] += 1
        if not d.reused:
            stats.add_cost(d.cost_usd)


def settle_void(
    item: Pending,
    void: Any,
    store: ResultStore,
    st: RunStats,
    *,
    run_id: str,
    max_tries: int,
    writer: GroupWriter | None = None,
) -> bool:
    """Book a voided try of ``item``: True to re-queue it, else it is written as voided now.

    With a ``writer`` the voided match joins its group (written within the writer's delay), else it is
    written at once in its own transaction.

    Raises:
        FatalModelError: A fatal cause (auth, bad request, unknown model) would fail the same way in every
            match, so it stops the run; the match is not written (a rerun after the fix plays it).
    """
    item.tries += 1
    st.failures["void"] += 1
    if is_fatal_void(void):
        raise fatal_stop(void)
    if item.tries < max_tries:
        st.requeued += 1
        return True
    _count_decisions(st, void.decisions)
    rows = voided_rows(
        item.job,
        void.reason,
        void.decisions,
        run_id=run_id,
        tries=item.tries,
        started_at=item.started_at,
        finished_at=utc_now(),
    )
    if writer is not None:
        writer.add(rows)
    else:
        store.write_rows([rows])
    st.voided += 1
    return False


def settle_finished(
    item: Pending,
    result: Any,
    store: ResultStore,
    st: RunStats,
    *,
    run_id: str,
    writer: GroupWriter | None = None,
) -> None:
    """Write ``item``'s finished match (in its own transaction, or in ``writer``'s next group); count it."""
    rows = finished_rows(
        item.job,
        result,
        run_id=run_id,
        tries=item.tries + 1,
        started_at=item.started_at,
        finished_at=utc_now(),
    )
    if writer is not None:
        writer.add(rows)
    else:
        store.write_rows([rows])
    st.finished += 1
    _count_decisions(st, result.decisions)


async def run_jobs_async(
    jobs: JobSource,
    store: ResultStore,
    *,
    run_id: str,
    options: RunOptions | None = None,
    stats: RunStats | None = None,
) -> RunStats:
    """Play every job not yet finished in ``store``; see the module docstring for the guarantees.

    Args:
        jobs: The jobs in plan order: a list, or a lazy :class:`~harness.experiments.expand.JobPlan`
            (taken a chunk at a time; only the matches in flight are held).
        store: The store (this process holds its lease).
        run_id: The run's id in the store.
        options: How to run them.
        stats: Counters to update (a fresh set if omitted).

    Raises:
        CacheMiss: A replay-only cache has no answer for a request (after writing what finished).
    """
    from harness.protocol import InitialPlanCache, MatchVoided

    opts = options or RunOptions()
    st = stats or RunStats()
    queue = JobQueue(plan_pending(jobs, store, st, limit=opts.limit))
    resources = opts.resources or MatchResources(opts.model_settings)
    plan_cache = opts.plan_cache if opts.plan_cache is not None else InitialPlanCache()
    budget = opts.budget
    fatal: list[BaseException] = []
    loop = asyncio.get_running_loop()
    view = ProgressView(st, enabled=opts.progress, spend=budget.spend_text if budget is not None else None)
    writer = GroupWriter(
        store,
        loop=loop,
        on_error=fatal.append,
        max_matches=opts.group_matches,
        max_delay_s=opts.group_delay_s,
    )

    def on_round(_record: Any) -> None:
        st.rounds += 1

    async def worker() -> None:
        turn = time.monotonic()
        while not fatal:
            item = queue.pop()
            if item is None:
                return
            job = item.job
            if budget is not None and not budget.admit(job):
                return  # --max-cost: no new match starts; those in flight finish and are stored
            item.started_at = utc_now()
            try:
                result = await play_job(job, resources=resources, plan_cache=plan_cache, on_round=on_round)
            except MatchVoided as void:
                if budget is not None:
                    budget.settle(job, decisions_cost(void.decisions), finished=False)
                try:
                    requeue = settle_void(
                        item, void, store, st, run_id=run_id, max_tries=opts.max_tries, writer=writer
                    )
                except FatalModelError as exc:  # no new match starts; those in flight finish
                    fatal.append(exc)
                    return
                if requeue:
                    queue.push(item)
            except Exception as exc:  # CacheMiss or a bug: stop the run, keep what finished
                fatal.append(exc)
                return
            else:
                if budget is not None:
                    budget.settle(job, result.cost_usd, finished=True)
                settle_finished(item, result, store, st, run_id=run_id, writer=writer)
            view.update()
            if opts.on_progress is not None:
                opts.on_progress(st)
            # Bot matches never suspend: yield every few ms so that other workers, the writer's timer,
            # the progress bar and Ctrl-C get a turn (a turn per bot match costs more than the match's
            # bookkeeping). Matches still start in queue order: only the worker that starts one differs.
            if time.monotonic() - turn >= YIELD_EVERY_S:
                await asyncio.sleep(0)
                turn = time.monotonic()

    # As many workers as matches to play, up to max_matches (the stream is read that far, no further).
    n_workers = min(opts.max_matches, max(queue.peek_count(opts.max_matches), 1))
    tasks = [asyncio.ensure_future(worker()) for _ in range(n_workers)]
    interrupts = 0

    def on_sigint() -> None:
        nonlocal interrupts
        interrupts += 1
        st.interrupted = True
        if interrupts > 1:  # a second Ctrl-C: stop waiting for anything
            loop.remove_signal_handler(signal.SIGINT)
            raise KeyboardInterrupt
        for t in tasks:
            t.cancel()

    installed = False
    if opts.handle_sigint:
        try:
            loop.add_signal_handler(signal.SIGINT, on_sigint)
            installed = True
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signal support
            installed = False
    written = False
    try:
        with view:
            results = await asyncio.gather(*tasks, return_exceptions=True)
        written = True
        writer.flush()  # what finished is stored before anything is raised
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGINT)
        if not written:  # cancelled or a second Ctrl-C: still store what finished
            writer.flush()
    for r in results:
        if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError):
            fatal.append(r)
    if fatal:
        raise fatal[0]
    return st


def run_jobs(
    jobs: JobSource,
    store: ResultStore,
    *,
    run_id: str,
    options: RunOptions | None = None,
    stats: RunStats | None = None,
) -> RunStats:
    """Synchronous wrapper of :func:`run_jobs_async` (its own event loop)."""
    return asyncio.run(run_jobs_async(jobs, store, run_id=run_id, options=options, stats=stats))
