"""The Ray executor's worker side: actor processes that play matches in the order the driver gives.

* **Order.** Ray starts an async actor's calls in any order, but which match makes a shared initial
  plan depends on which one asks first. So the driver numbers each worker's calls and the worker starts
  matches strictly in that order, as the asyncio runner starts them in queue order.
* **Shared plans outlive a lost worker.** Every outcome carries the shared initial plans its match used,
  each with the id of the match that made it. A worker that replaces a lost one is seeded with every
  plan the driver has been told of: a match that reuses a plan gets the very plan the stored matches
  got, and the match that made it gets it back as its own (``reused`` false), so a replay stores what
  the lost worker would have, even for a model that would not answer the same twice. A plan that no
  returned match used is made again by the first replayed match that asks for it, which is the match
  that made it before (replays start in the driver's order), and with the same seed. A voided maker
  disowns its plans: its retry reuses them, as it would find them cached in one process.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from harness.experiments.jobs import MatchJob
from harness.models.settings import ModelSettings
from harness.protocol import InitialOutcome, InitialPlanCache

#: An initial-plan key of the protocol: (agent key, side, game fingerprint).
PlanKey = tuple[str, str, str]
#: A shared initial plan and the id of the match that made it.
SharedPlan = tuple[InitialOutcome, str]


@dataclass(frozen=True)
class WorkerOutcome:
    """What a worker sends back for one match; exceptions do not cross processes whole.

    Attributes:
        kind: ``ok`` (``result`` is the ``MatchResult``), ``void`` (``void`` holds the ``MatchVoided``'s
            reason, decisions and cause) or ``error`` (``error`` is the exception, e.g. ``CacheMiss``).
        result: The finished match's records.
        void: The voided match's reason, decisions and cause.
        error: What stopped the match.
        plans: The shared initial plans the match used, with their makers (for the driver to re-seed a
            worker that replaces a lost one).
    """

    kind: Literal["ok", "void", "error"]
    result: Any = None
    void: tuple[str, list[Any], str] | None = None
    error: BaseException | None = None
    plans: dict[PlanKey, SharedPlan] = field(default_factory=dict)


class PlanBook:
    """A worker's shared initial plans: its live cache, who made each plan, and the plans it was seeded with.

    Args:
        seeded: Plans made by an earlier (lost) worker, with their makers.
    """

    def __init__(self, seeded: Mapping[PlanKey, SharedPlan] | None = None) -> None:
        self.cache = InitialPlanCache()
        self.seeded = dict(seeded or {})
        self.makers: dict[PlanKey, str] = {}

    def for_match(self, match_id: str) -> MatchPlans:
        """The view of the book that one match uses as its initial-plan cache."""
        return MatchPlans(self, match_id)

    def disown(self, plans: MatchPlans) -> None:
        """A voided match's plans lose their maker (``""`` is no match id); its report says so too.

        In one process a voided match's retry finds the plans it made cached, and reuses them. A seeded
        plan would be handed back to its maker as its own: so once voided, nobody owns it.
        """
        for key, (plan, maker) in list(plans.used.items()):
            if maker == plans.match_id:
                plans.used[key] = (plan, "")
                self.makers[key] = ""
                if key in self.seeded:
                    self.seeded[key] = (plan, "")


class MatchPlans:
    """One match's view of a :class:`PlanBook`, used by ``play_match`` as an ``InitialPlanCache``.

    Args:
        book: The worker's book.
        match_id: The match asking.
    """

    def __init__(self, book: PlanBook, match_id: str) -> None:
        self.book = book
        self.match_id = match_id
        self.used: dict[PlanKey, SharedPlan] = {}

    async def get_or_make(
        self, key: PlanKey, make: Callable[[], Awaitable[InitialOutcome]]
    ) -> tuple[InitialOutcome, bool]:
        """As :meth:`InitialPlanCache.get_or_make`; a seeded plan counts as made by its original maker."""
        seeded = self.book.seeded.get(key)
        if seeded is not None:
            outcome, maker = seeded
            reused = maker != self.match_id
        else:
            outcome, reused = await self.book.cache.get_or_make(key, make)
            # No await between the maker leaving the cache's lock and this line: a waiter on the lock
            # cannot resume before the maker is noted.
            if not reused and outcome.infra is None:
                self.book.makers[key] = self.match_id
            maker = self.book.makers.get(key, self.match_id)
        if outcome.infra is None:  # an interrupted phase is not shared (the cache does not keep it)
            self.used[key] = (outcome, maker)
        return outcome, reused


def note_plans(known: dict[PlanKey, SharedPlan], outcome: WorkerOutcome) -> None:
    """Add the shared plans an outcome reports to the driver's ``known`` plans.

    Reports of one plan agree on it; its maker only changes to ``""`` (disowned, see
    :meth:`PlanBook.disown`), and then stays so.
    """
    for key, (plan, maker) in outcome.plans.items():
        if key not in known or not maker:
            known[key] = (plan, maker)


def _hand_over(done: asyncio.Future[WorkerOutcome], task: asyncio.Task[WorkerOutcome]) -> None:
    """Pass a finished match task's outcome to the call waiting for it (if that call still waits)."""
    if not done.done():
        if task.cancelled():
            done.cancel()
        else:
            done.set_result(task.result())


def worker_class(ray: Any) -> Any:
    """The ``MatchWorker`` actor class (built on demand: Ray is an optional extra)."""

    @ray.remote
    class MatchWorker:
        """One worker process: its own loop, agents and initial plans; matches start in call-number order.

        Args:
            settings: The picklable model settings of one worker (see ``worker_settings``).
            plans: Shared initial plans to start with (those of the worker this one replaces).
        """

        def __init__(self, settings: dict[str, Any], plans: Mapping[PlanKey, SharedPlan]) -> None:
            from harness.runner.execute import MatchResources

            self.resources = MatchResources(ModelSettings(**settings))
            self.book = PlanBook(plans)
            self.next_seq = 0
            self.arrived: dict[int, tuple[MatchJob, asyncio.Future[WorkerOutcome]]] = {}

        async def play(self, job: MatchJob, seq: int) -> WorkerOutcome:
            done = asyncio.get_running_loop().create_future()
            self.arrived[seq] = (job, done)
            while self.next_seq in self.arrived:  # start every match whose turn has come, in order
                ready_job, ready_done = self.arrived.pop(self.next_seq)
                self.next_seq += 1
                task = asyncio.ensure_future(self._outcome(ready_job))
                task.add_done_callback(functools.partial(_hand_over, ready_done))
            outcome: WorkerOutcome = await done
            return outcome

        async def _outcome(self, job: MatchJob) -> WorkerOutcome:
            from harness.protocol import MatchVoided
            from harness.runner.execute import play_job

            plans = self.book.for_match(job.match_id)
            try:
                result = await play_job(job, resources=self.resources, plan_cache=plans)
            except MatchVoided as void:
                self.book.disown(plans)
                return WorkerOutcome("void", void=(void.reason, void.decisions, void.cause), plans=plans.used)
            except Exception as exc:
                return WorkerOutcome("error", error=exc)
            return WorkerOutcome("ok", result=result, plans=plans.used)

    return MatchWorker
