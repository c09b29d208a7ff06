"""``stratagem run --adaptive``: the fewest matches that settle a leaderboard.

The run plays in batches (:mod:`harness.runner.adaptive_plan` says which matches, and why;
:mod:`harness.runner.adaptive_fit` says when the leaderboard is settled):

1. batch 0 is a round robin of side-swapped pairs;
2. after each batch the Bradley–Terry leaderboard of the finished matches of the batches so far is refitted
   with bootstrap intervals; if every adjacent pair is separated at the confidence, the run stops;
3. otherwise the next batch plays one side-swapped pair per unsettled adjacent pair, in every game, on the
   model pairs whose matches shrink the uncertainty of those pairs' order the most
   (:mod:`harness.runner.adaptive_design`; at most :data:`~harness.runner.adaptive_plan.MAX_BATCH_PAIRS`).

Every match is an ordinary job of the experiment (same fingerprint rules and ids), played by the usual
runner into the usual store, so ``stratagem report`` reads the store unchanged. Each batch is written to
the store's ``allocation_log`` (:mod:`harness.store.allocation_log`) *before* it is played.

**Resume.** Batches found in the log are replayed as logged; later ones are decided again. A decision reads
only the finished matches of earlier batches, which a killed run had all stored before it decided (a batch
is decided after the previous one was played and written), so a rerun after SIGKILL recomputes exactly the
batches the killed run would have decided: same matches, same log. A rerun with other options
(``--confidence``, ``--n-boot``) keeps the logged batches and applies the new options to the next ones.

**Budgets** only cut the schedule, never change it: ``--max-matches N`` plays the first N matches of the
schedule (N rounded down to whole side-swapped pairs; stored ones count), ``--max-cost USD`` stops before
the spend would pass the limit (:mod:`harness.runner.budget`; the two matches of a pair are admitted
together). A rerun with a higher limit goes on as if the limit had been higher from the start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from harness.experiments.config import ExperimentConfig
from harness.experiments.jobs import MatchJob
from harness.runner.adaptive_fit import Leaderboard, MatchScore, fit_leaderboard
from harness.runner.adaptive_plan import (
    MAX_BATCH_PAIRS,
    Schedule,
    Unit,
    batch_seed,
    plan_batch,
    round_robin_units,
    stop_reason,
)
from harness.runner.adaptive_progress import AdaptiveView
from harness.runner.budget import stored_cost
from harness.runner.execute import MatchResources, RunOptions, run_jobs_async
from harness.runner.progress import RunStats
from harness.store.allocation_log import LogEntry, read_log, write_batch
from harness.store.reads import IN_CHUNK
from harness.store.store import ResultStore, StoreError

__all__ = ["AdaptiveOptions", "AdaptiveOutcome", "read_scores", "run_adaptive", "run_adaptive_async"]


@dataclass(frozen=True)
class AdaptiveOptions:
    """How an adaptive run decides and how much it may play.

    Attributes:
        confidence: Level at which adjacent pairs must be separated, in (0, 1).
        n_boot: Bootstrap resamples per refit.
        max_matches: Play at most this many matches of the schedule (``None``: no cap).
        max_pairs: Units one batch schedules at most (per game).
        rule: How a batch is chosen: ``information`` (:mod:`harness.runner.adaptive_design`) or
            ``adjacent`` (a unit of each unsettled adjacent pair, least certain first).
    """

    confidence: float = 0.95
    n_boot: int = 200
    max_matches: int | None = None
    max_pairs: int = MAX_BATCH_PAIRS
    rule: str = "information"


@dataclass
class AdaptiveOutcome:
    """How an adaptive run ended.

    Attributes:
        stop: ``settled``, ``max_matches``, ``max_cost`` or ``interrupted``.
        batches: Batches scheduled (the log's, including this run's).
        scheduled: Matches the schedule holds.
        board: The last leaderboard fitted (``None`` before batch 0 was played).
        stats: This run's counters over every batch (``total`` = matches scheduled).
    """

    stop: str = ""
    batches: int = 0
    scheduled: int = 0
    board: Leaderboard | None = None
    stats: RunStats = field(default_factory=RunStats)

    def criterion_text(self) -> str:
        """``settled 3/5 adjacent pairs`` (or ``not fitted yet``)."""
        return self.board.settled_text() if self.board is not None else "not fitted yet"

    def summary(self, options: AdaptiveOptions) -> str:
        """One line: why it stopped, the criterion and the schedule."""
        why = {
            "settled": "every adjacent pair is separated",
            "max_matches": f"stopped at --max-matches {options.max_matches}",
            "max_cost": "stopped at --max-cost",
            "interrupted": "interrupted",
        }.get(self.stop, self.stop)
        order = ""
        if self.board is not None and self.stop == "settled":
            order = "; order: " + " > ".join(self.board.order)
        return (
            f"adaptive: {why} after {self.batches} batches ({self.scheduled} matches scheduled):"
            f" {self.criterion_text()} at confidence {options.confidence:g}{order}"
        )


def read_scores(store: ResultStore, match_ids: Sequence[str]) -> dict[str, MatchScore]:
    """What the fit reads of those of ``match_ids`` that are stored as finished."""
    out: dict[str, MatchScore] = {}
    for i in range(0, len(match_ids), IN_CHUNK):
        chunk = list(match_ids[i : i + IN_CHUNK])
        marks = ", ".join("?" * len(chunk))
        for mid, game, a, b, n, wa, wb in store.query(
            "SELECT m.match_id, m.game, m.model_a, m.model_b, COUNT(r.round),"
            " COALESCE(SUM(r.winner = 'A'), 0), COALESCE(SUM(r.winner = 'B'), 0)"
            " FROM matches m JOIN rounds r ON r.match_id = m.match_id"
            f" WHERE m.status = 'finished' AND m.match_id IN ({marks}) GROUP BY m.match_id",
            chunk,
        ):
            n, wa, wb = int(n), int(wa), int(wb)
            out[str(mid)] = MatchScore(str(game), str(a), str(b), n, wa + 0.5 * (n - wa - wb))
    return out


def _merge(total: RunStats, part: RunStats) -> None:
    total.finished += part.finished
    total.voided += part.voided
    total.requeued += part.requeued
    total.rounds += part.rounds
    total.failures.update(part.failures)
    total.cost_usd += part.cost_usd
    total.cost_unknown = total.cost_unknown or part.cost_unknown
    total.interrupted = total.interrupted or part.interrupted


class _Run:
    """The state of one adaptive invocation (see the module docstring)."""

    def __init__(
        self,
        config: ExperimentConfig,
        store: ResultStore,
        run_id: str,
        options: RunOptions,
        adaptive: AdaptiveOptions,
        outcome: AdaptiveOutcome,
    ) -> None:
        self.schedule = Schedule(config)
        self.plan = self.schedule.plan_key()
        self.store = store
        self.run_id = run_id
        self.adaptive = adaptive
        self.outcome = outcome
        self.budget = options.budget
        cap = adaptive.max_matches
        self.cap = None if cap is None else cap - cap % 2
        self.used: dict[tuple[str, tuple[str, str]], int] = {}
        self.jobs: list[MatchJob] = []  # the schedule, in order
        self.scores: dict[str, MatchScore] = {}
        self.batch_stats = RunStats()
        self.view = AdaptiveView(self.cap, self.status, enabled=options.progress)
        from harness.protocol import InitialPlanCache

        self.options = replace(
            options,
            progress=False,
            on_progress=lambda _st: self.view.update(),
            resources=options.resources or MatchResources(options.model_settings),
            plan_cache=options.plan_cache if options.plan_cache is not None else InitialPlanCache(),
        )
        self.logged: dict[int, list[LogEntry]] = {}
        for e in read_log(store, self.plan):
            if e.kind == "pair":
                self.logged.setdefault(e.batch, []).append(e)

    def status(self) -> tuple[int, int, str, str]:
        """What the progress bar shows."""
        st, part = self.outcome.stats, self.batch_stats
        done = st.skipped + st.finished + st.voided + part.finished + part.voided
        spend = self.budget.spend_text() if self.budget is not None else RunStats.spend_text(st)
        return done, self.outcome.batches, self.outcome.criterion_text(), spend

    def fit(self, batch: int) -> Leaderboard:
        """The leaderboard of the finished matches scheduled so far (the batches before ``batch``)."""
        scores = [self.scores[j.match_id] for j in self.jobs if j.match_id in self.scores]
        return fit_leaderboard(
            scores,
            self.schedule.models,
            self.schedule.games,
            confidence=self.adaptive.confidence,
            n_boot=self.adaptive.n_boot,
            seed=batch_seed(self.plan, batch),
        )

    def decide(self, batch: int) -> list[Unit] | None:
        """Batch ``batch``'s units: from the log, or decided now (and logged); ``None``: settled, stop."""
        if batch in self.logged:
            units = []
            for e in self.logged[batch]:
                unit = self.schedule.unit(str(e.game), (str(e.model_1), str(e.model_2)), int(e.unit or 0))
                if tuple(j.match_id for j in unit.jobs) != e.match_ids:
                    raise StoreError(
                        f"{self.store.path}: batch {batch} of the allocation log names matches"
                        f" {', '.join(e.match_ids)}, which this experiment defines otherwise (a generation"
                        " or prompt change since); use another --store"
                    )
                units.append(unit)
            return units
        if batch == 0:
            units = round_robin_units(self.schedule)
            reasons = [{"rule": "round_robin"} for _ in units]
        else:
            board = self.outcome.board
            if board is None:  # fitted after every batch before this one
                raise RuntimeError(f"batch {batch} is decided before any leaderboard was fitted")
            if board.settled:
                reason = stop_reason(board, self.adaptive.n_boot)
                write_batch(
                    self.store, self.plan, [LogEntry(batch, 0, "stop", None, None, None, None, (), reason)]
                )
                return None
            planned = plan_batch(
                self.schedule,
                board,
                self.used,
                rule=self.adaptive.rule,
                max_pairs=self.adaptive.max_pairs,
                n_boot=self.adaptive.n_boot,
            )
            units = [u for u, _ in planned]
            reasons = [r for _, r in planned]
        entries = [
            LogEntry(
                batch, i, "pair", u.game, u.pair[0], u.pair[1], u.n, tuple(j.match_id for j in u.jobs), reason
            )
            for i, (u, reason) in enumerate(zip(units, reasons, strict=True))
        ]
        write_batch(self.store, self.plan, entries)
        return units

    async def play(self, jobs: list[MatchJob]) -> None:
        """Play the jobs of one batch not yet finished (the budget sees each side-swapped pair whole)."""
        ids = [j.match_id for j in jobs]
        states = self.store.match_states(ids)
        stored = [mid for mid in ids if mid in states]
        st = self.outcome.stats
        st.skipped += sum(1 for mid in stored if states[mid][0] == "finished")
        if self.budget is not None:
            cost, unknown = stored_cost(self.store, stored)
            self.budget.add_stored(cost, unknown)
            pending = {mid for mid in ids if states.get(mid, ("voided", 0))[0] != "finished"}
            for a, b in zip(jobs[::2], jobs[1::2], strict=True):
                if a.match_id in pending and b.match_id in pending:
                    self.budget.partners[a.match_id] = b
                    self.budget.partners[b.match_id] = a
        self.batch_stats = RunStats(started=st.started)
        try:
            await run_jobs_async(
                jobs, self.store, run_id=self.run_id, options=self.options, stats=self.batch_stats
            )
        finally:
            _merge(st, self.batch_stats)
            self.batch_stats = RunStats(started=st.started)
            self.scores.update(read_scores(self.store, ids))

    async def run(self) -> None:
        """Batch after batch until the criterion or a budget stops it."""
        out = self.outcome
        batch = 0
        with self.view:
            while True:
                if batch > 0:  # (also for a batch replayed from the log: the bar and summary show it)
                    out.board = self.fit(batch)
                    self.view.update(force=True)
                units = self.decide(batch)
                if units is None:
                    out.stop = "settled"
                    return
                out.batches = batch + 1
                for u in units:
                    key = (u.game, u.pair)
                    self.used[key] = max(self.used.get(key, 0), u.n + 1)
                jobs = [j for u in units for j in u.jobs]
                start = len(self.jobs)
                self.jobs.extend(jobs)
                out.scheduled = out.stats.total = len(self.jobs)
                room = len(jobs) if self.cap is None else max(0, self.cap - start)
                await self.play(jobs[:room])
                if out.stats.interrupted:
                    out.stop = "interrupted"
                    return
                if self.budget is not None and self.budget.stopped:
                    out.stop = "max_cost"
                    return
                if room < len(jobs):
                    out.stop = "max_matches"
                    return
                batch += 1


async def run_adaptive_async(
    config: ExperimentConfig,
    store: ResultStore,
    *,
    run_id: str,
    options: RunOptions | None = None,
    adaptive: AdaptiveOptions | None = None,
    outcome: AdaptiveOutcome | None = None,
) -> AdaptiveOutcome:
    """Run ``config`` adaptively into ``store`` (this process holds its lease); see the module docstring.

    Args:
        config: The experiment (round robin, at least two models).
        store: The store.
        run_id: The run's id in the store.
        options: How to play each batch (``budget`` for ``--max-cost``; ``limit`` is ignored: the cap is
            ``adaptive.max_matches``).
        adaptive: How to decide and how much to play.
        outcome: Filled in as the run goes (a fresh one if omitted), so a caller sees it after an error.

    Raises:
        AdaptiveConfigError: The experiment cannot be run adaptively.
    """
    out = outcome if outcome is not None else AdaptiveOutcome()
    opts = replace(options or RunOptions(), limit=None)
    await _Run(config, store, run_id, opts, adaptive or AdaptiveOptions(), out).run()
    return out


def run_adaptive(
    config: ExperimentConfig,
    store: ResultStore,
    *,
    run_id: str,
    options: RunOptions | None = None,
    adaptive: AdaptiveOptions | None = None,
    outcome: AdaptiveOutcome | None = None,
) -> AdaptiveOutcome:
    """Synchronous wrapper of :func:`run_adaptive_async` (its own event loop)."""
    return asyncio.run(
        run_adaptive_async(config, store, run_id=run_id, options=options, adaptive=adaptive, outcome=outcome)
    )
