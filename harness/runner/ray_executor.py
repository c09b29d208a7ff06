"""The Ray executor (``stratagem run --executor ray``): the same jobs, played by worker processes.

What it is for: bot matches (``bot/search``) and simulations are CPU-bound, and one asyncio process uses
one core; LLM matches wait on the network and need no more than the asyncio runner. The guarantees are
the asyncio runner's — the driver (this process) is the store's single writer, one transaction per
finished match, resume by skipping finished ids, voided matches re-queued up to ``max_tries``, Ctrl-C
stops after writing what finished — and the stored results are the same as the asyncio runner's.

* **Workers** are async Ray actors, one process each, every one with its own event loop, shared agents
  and initial-plan cache, playing up to ``max_matches / workers`` matches at once
  (:mod:`harness.runner.ray_worker`).
* **Affinity.** Under ``initial_plans: shared``, matches that can share an initial plan (same model,
  generation, side and game) are pinned to one worker, in queue order, so "one initial plan per model
  and side" holds exactly as in one process. Other matches go to whichever worker has a free slot.
* **Provider limits** are split between workers (``limit // workers``, at least 1 each), so the cluster
  as a whole stays within the configured requests in flight.
* **Lost workers.** When a worker process dies (killed, out of memory, its node gone), a fresh one takes
  its place and every match that was in flight on it is played again: pinned matches on the newcomer in
  their first order, the others wherever a slot is free. The run goes on by itself. Nothing a lost
  worker sent is stored after it is counted lost, so no match is written twice; bot matches are seeded
  per match, and the newcomer is handed the shared initial plans already made, so a replay stores what
  the first try would have. A match that was on :data:`MAX_LOSSES` lost workers stops the run (it is
  likely what kills them). ``RunStats.replayed`` and ``RunStats.workers_lost`` count it all.
* A model that only exists in the driver's memory (``scripted/``) cannot be played by a worker; the
  run says so before starting.

Why not Ray's own ``max_restarts`` / ``max_task_retries``: a restarted actor would take the retried calls
in any order, number them from zero while the driver's numbers go on, and start with an empty plan
cache. The driver has to decide what is replayed where, in which order, and with which plans.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import os
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from games.core.errors import StratagemError, UserError
from harness.experiments.jobs import MatchJob
from harness.models.settings import ModelSettings
from harness.runner.execute import RunOptions, settle_finished, settle_void
from harness.runner.progress import ProgressView, RunStats
from harness.runner.queue import JobSource, Pending, pending_jobs
from harness.runner.ray_worker import PlanKey, SharedPlan, WorkerOutcome, note_plans, worker_class
from harness.store.store import ResultStore, utc_now

RAY_MISSING = 'the ray executor needs Ray: pip install -e ".[ray]"'
# ModelSettings fields a worker cannot receive: per-process objects (locks, callbacks, the sleep hook).
_LOCAL_ONLY = ("limiters", "on_event", "sleep")
#: A match in flight on this many lost workers stops the run: it is likely what kills them (its memory,
#: a crash in native code), and replaying it for ever would hide that.
MAX_LOSSES = 3
# What ray.get raises when the worker (or its node) is gone, rather than the call failing in the worker.
_LOST_ERRORS = ("RayActorError", "WorkerCrashedError", "NodeDiedError", "ObjectLostError")


class WorkerLost(StratagemError):
    """Ray workers fail in a way the run cannot go on from; what finished is stored, a rerun resumes."""


def worker_settings(settings: ModelSettings | None, workers: int) -> dict[str, Any]:
    """The picklable fields of ``settings`` for one of ``workers`` workers (limits split between them)."""
    base = settings or ModelSettings()
    spec = {f.name: getattr(base, f.name) for f in dataclasses.fields(base) if f.name not in _LOCAL_ONLY}
    spec["concurrency"] = {k: max(1, v // workers) for k, v in base.concurrency.items()}
    spec["default_concurrency"] = max(1, base.default_concurrency // workers)
    return spec


def affinity_groups(jobs: Sequence[MatchJob]) -> dict[str, int]:
    """Match id → group, for jobs that may share an initial plan (connected through a shared plan).

    Keys are a superset of the protocol's initial-plan key (which also holds the attempts and prompt
    versions): grouping too much only costs parallelism, grouping too little would break sharing.
    """
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    shared = [j for j in jobs if j.settings.get("initial_plans") == "shared"]
    for job in shared:
        keys = [
            ("plan", job.model_a, repr(job.generation_a), job.plan_schema_a, "A", job.game, job.ruleset),
            ("plan", job.model_b, repr(job.generation_b), job.plan_schema_b, "B", job.game, job.ruleset),
        ]
        for key in keys:
            parent[find(("job", job.match_id))] = find(key)
    roots: dict[Any, int] = {}
    return {j.match_id: roots.setdefault(find(("job", j.match_id)), len(roots)) for j in shared}


def require_ray() -> Any:
    """The ``ray`` module (an optional extra: typed as ``Any``, so the code checks without it).

    Raises:
        UserError: Ray is not installed (the message says how to install it).
    """
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise UserError(RAY_MISSING) from None


def _check_playable(jobs: Iterable[MatchJob]) -> None:
    for job in jobs:
        for model in (job.model_a, job.model_b):
            if model.startswith("scripted/"):
                raise UserError(f"{model} lives in this process only; the ray executor cannot play it")


@dataclass
class _Call:
    """A match in flight: on which worker, which life of that worker, and its call number there."""

    item: Pending
    worker: int
    life: int
    seq: int


class _Driver:
    """The driver's side of one Ray run: queues, workers (replaced when lost), and settling outcomes.

    Args:
        ray: The ``ray`` module.
        pending: The jobs to play, in queue order.
        store: The store (written only here).
        st: The run's counters.
        run_id: The run's id in the store.
        opts: The run's options.
        n: Worker processes.
    """

    def __init__(
        self,
        ray: Any,
        pending: Sequence[Pending],
        store: ResultStore,
        st: RunStats,
        *,
        run_id: str,
        opts: RunOptions,
        n: int,
    ) -> None:
        self.ray, self.store, self.st, self.run_id, self.opts = ray, store, st, run_id, opts
        self.lost_errors = tuple(getattr(ray.exceptions, name) for name in _LOST_ERRORS)
        self.per_worker = max(1, opts.max_matches // n)
        self.spec = worker_settings(opts.model_settings, n)
        self.worker_class = worker_class(ray)
        self.known: dict[PlanKey, SharedPlan] = {}  # every shared plan a returned match used
        self.actors = [self._new_actor() for _ in range(n)]
        self.lives = [0] * n
        self.seqs = [0] * n
        self.busy = [0] * n
        self.in_flight: dict[Any, _Call] = {}
        self.losses: Counter[str] = Counter()
        self.groups = affinity_groups([p.job for p in pending])
        self.pinned: list[deque[Pending]] = [deque() for _ in range(n)]
        self.free: deque[Pending] = deque()
        group_worker: dict[int, int] = {}
        load = [0] * n
        for item in pending:
            group = self.groups.get(item.job.match_id)
            if group is None:
                self.free.append(item)
                continue
            if group not in group_worker:  # a new group goes to the least-loaded worker (stable ties)
                group_worker[group] = min(range(n), key=lambda w: (load[w], w))
            w = group_worker[group]
            load[w] += 1
            self.pinned[w].append(item)

    def _new_actor(self) -> Any:
        # Slack above per_worker: a call waiting for its turn must never hold the slot it waits for.
        return self.worker_class.options(max_concurrency=2 * self.per_worker).remote(self.spec, self.known)

    def _queue_of(self, item: Pending, w: int) -> deque[Pending]:
        # Pinned matches stay with their worker's slot (its plan cache), the others go to anyone.
        return self.pinned[w] if item.job.match_id in self.groups else self.free

    def submit(self) -> None:
        """Fill every worker's free slots, pinned matches first."""
        for w, actor in enumerate(self.actors):
            while self.busy[w] < self.per_worker and (self.pinned[w] or self.free):
                item = self.pinned[w].popleft() if self.pinned[w] else self.free.popleft()
                item.started_at = utc_now()
                ref = actor.play.remote(item.job, self.seqs[w])
                self.in_flight[ref] = _Call(item, w, self.lives[w], self.seqs[w])
                self.seqs[w] += 1
                self.busy[w] += 1

    def step(self) -> BaseException | None:
        """Wait for one call and settle it; the error that stops the run, if any."""
        from harness.protocol import MatchVoided

        ready, _ = self.ray.wait(list(self.in_flight), num_returns=1)
        call = self.in_flight.pop(ready[0])
        self.busy[call.worker] -= 1
        try:
            outcome: WorkerOutcome = self.ray.get(ready[0])
        except self.lost_errors as exc:
            return self._lose(call, exc)
        except Exception as exc:  # the call itself failed (a bug, a value that does not pickle)
            return WorkerLost(f"a Ray worker failed ({type(exc).__name__}): {exc}")
        item, w = call.item, call.worker
        note_plans(self.known, outcome)
        if outcome.kind == "ok":
            settle_finished(item, outcome.result, self.store, self.st, run_id=self.run_id)
            self.st.rounds += len(outcome.result.rounds)
        elif outcome.kind == "void" and outcome.void is not None:
            void = MatchVoided(*outcome.void)
            tries = self.opts.max_tries
            if settle_void(item, void, self.store, self.st, run_id=self.run_id, max_tries=tries):
                self._queue_of(item, w).append(item)
        else:
            return outcome.error or WorkerLost(f"a Ray worker sent an empty {outcome.kind!r} outcome")
        return None

    def _lose(self, call: _Call, exc: BaseException) -> BaseException | None:
        """Worker ``call.worker`` is gone: replace it, and put every match that was on it back in line."""
        # Every call of a lost life is dropped here at once, so no later call of it is ever settled.
        w, life = call.worker, call.life
        dropped = [ref for ref, c in self.in_flight.items() if c.worker == w and c.life == life]
        calls = sorted([call, *(self.in_flight.pop(ref) for ref in dropped)], key=lambda c: c.seq)
        why = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"  # Ray's are long
        for c in calls:
            self.losses[c.item.job.match_id] += 1
        # Which of the matches on a lost worker killed it cannot be told: name all that reached the limit.
        worst = [c.item.job.match_id for c in calls if self.losses[c.item.job.match_id] >= MAX_LOSSES]
        if worst:
            names = ", ".join(worst[:3]) + (f" and {len(worst) - 3} more" if len(worst) > 3 else "")
            return WorkerLost(
                f"{'match' if len(worst) == 1 else 'matches'} {names} {'was' if len(worst) == 1 else 'were'}"
                f" in flight on {MAX_LOSSES} lost Ray workers ({why}); what finished is stored, and running"
                " the command again resumes"
            )
        # Back at the head of the line in their first order: a replacement starts them first, so the
        # match that first asked for a shared plan asks first again.
        for c in reversed(calls):
            self._queue_of(c.item, w).appendleft(c.item)
        self.st.replayed += len(calls)
        self.st.workers_lost += 1
        with contextlib.suppress(Exception):  # best effort: it is dead, or about to be left behind
            self.ray.kill(self.actors[w], no_restart=True)
        self.lives[w] += 1
        self.seqs[w] = 0
        self.busy[w] = 0
        self.actors[w] = self._new_actor()
        return None

    def cancel(self) -> None:
        """Cancel the calls still in flight (best effort: the workers are shut down anyway)."""
        for ref in self.in_flight:
            with contextlib.suppress(Exception):
                self.ray.cancel(ref)


def run_jobs_ray(
    jobs: JobSource,
    store: ResultStore,
    *,
    run_id: str,
    options: RunOptions | None = None,
    stats: RunStats | None = None,
    address: str | None = None,
    workers: int | None = None,
) -> RunStats:
    """Play every job not yet finished in ``store`` on Ray workers; the guarantees of the module docstring.

    Args:
        jobs: The jobs (their order is the queue order, as in the asyncio runner). The matches to play
            are listed up front here (shared initial plans pin groups of them to workers), unlike in the
            asyncio runner, which streams them.
        store: The store; only this process writes to it.
        run_id: The run's id in the store.
        options: As for the asyncio runner (``max_matches`` is split between workers; ``limit`` plays
            only the first matches still to play).
        stats: Counters to update (a fresh set if omitted).
        address: A Ray cluster to join (``None``: start a local one, or use ``RAY_ADDRESS``).
        workers: Worker processes (default: the cluster's CPUs, at most the matches to play).

    Raises:
        UserError: Ray is not installed, or a job names a model a worker cannot build.
        CacheMiss: A replay-only cache has no answer (after writing what finished).
        WorkerLost: A match was on :data:`MAX_LOSSES` lost workers, or a worker call failed otherwise.
    """
    ray = require_ray()
    opts = options or RunOptions()
    st = stats or RunStats()
    _check_playable(jobs)
    pending = pending_jobs(jobs, store, st, limit=opts.limit)
    view = ProgressView(st, enabled=opts.progress)
    if not pending:
        return st
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(
            address=address or os.environ.get("RAY_ADDRESS"),
            num_cpus=workers if address is None and not os.environ.get("RAY_ADDRESS") else None,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    try:
        n = max(1, min(workers or int(ray.cluster_resources().get("CPU", 1)), len(pending)))
        driver = _Driver(ray, pending, store, st, run_id=run_id, opts=opts, n=n)
        error: BaseException | None = None
        with view:
            try:
                driver.submit()
                while driver.in_flight and error is None:
                    error = driver.step()
                    view.update()
                    if error is None:
                        driver.submit()
            except KeyboardInterrupt:
                st.interrupted = True
            finally:
                driver.cancel()
        if error is not None:
            raise error
        return st
    finally:
        if started_here:
            ray.shutdown()
