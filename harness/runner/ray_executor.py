"""The Ray executor (``stratagem run --executor ray``): the same jobs, played by worker processes.

What it is for: bot matches (``bot/search``) and simulations are CPU-bound, and one asyncio process uses
one core; LLM matches wait on the network and need no more than the asyncio runner. The guarantees are
the asyncio runner's — the driver (this process) is the store's single writer, one transaction per
finished match, resume by skipping finished ids, voided matches re-queued up to ``max_tries``, Ctrl-C
stops after writing what finished — and the stored results are the same as the asyncio runner's.

* **Workers** are async Ray actors, one process each, every one with its own event loop, shared agents
  and initial-plan cache, playing up to ``max_matches / workers`` matches at once.
* **Affinity.** Under ``initial_plans: shared``, matches that can share an initial plan (same model,
  generation, side and game) are pinned to one worker, in queue order, so "one initial plan per model
  and side" holds exactly as in one process. Other matches go to whichever worker has a free slot.
* **Provider limits** are split between workers (``limit // workers``, at least 1 each), so the cluster
  as a whole stays within the configured requests in flight.
* A model that only exists in the driver's memory (``scripted/``) cannot be played by a worker; the
  run says so before starting.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import os
from collections import deque
from collections.abc import Sequence
from typing import Any

from games.core.errors import StratagemError, UserError
from harness.experiments.jobs import MatchJob
from harness.models.settings import ModelSettings
from harness.runner.execute import (
    Pending,
    RunOptions,
    pending_jobs,
    settle_finished,
    settle_void,
)
from harness.runner.progress import ProgressView, RunStats
from harness.store.store import ResultStore, utc_now

RAY_MISSING = 'the ray executor needs Ray: pip install -e ".[ray]"'
# ModelSettings fields a worker cannot receive: per-process objects (locks, callbacks, the sleep hook).
_LOCAL_ONLY = ("limiters", "on_event", "sleep")


class WorkerLost(StratagemError):
    """A Ray worker process died; what finished is stored and running the command again resumes."""


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


def _check_playable(jobs: Sequence[MatchJob]) -> None:
    for job in jobs:
        for model in (job.model_a, job.model_b):
            if model.startswith("scripted/"):
                raise UserError(f"{model} lives in this process only; the ray executor cannot play it")


def _hand_over(done: Any, task: Any) -> None:
    """Pass a finished match task's outcome to the call waiting for it (if that call still waits)."""
    if not done.done():
        if task.cancelled():
            done.cancel()
        else:
            done.set_result(task.result())


def _worker_class(ray: Any) -> Any:
    @ray.remote
    class MatchWorker:
        """One worker process: its own loop, agents and initial-plan cache.

        Ray starts an async actor's calls in any order, but which match makes a shared initial plan
        depends on which one asks first. So the driver numbers each worker's calls and the worker starts
        matches strictly in that order, as the asyncio runner starts them in queue order.
        """

        def __init__(self, settings: dict[str, Any]) -> None:
            from harness.protocol import InitialPlanCache
            from harness.runner.execute import MatchResources

            self.resources = MatchResources(ModelSettings(**settings))
            self.plan_cache = InitialPlanCache()
            self.next_seq = 0
            self.arrived: dict[int, tuple[MatchJob, Any]] = {}

        async def play(self, job: MatchJob, seq: int) -> tuple[Any, ...]:
            import asyncio

            done = asyncio.get_running_loop().create_future()
            self.arrived[seq] = (job, done)
            while self.next_seq in self.arrived:  # start every match whose turn has come, in order
                ready_job, ready_done = self.arrived.pop(self.next_seq)
                self.next_seq += 1
                task = asyncio.ensure_future(self._outcome(ready_job))
                task.add_done_callback(functools.partial(_hand_over, ready_done))
            outcome: tuple[Any, ...] = await done
            return outcome

        async def _outcome(self, job: MatchJob) -> tuple[Any, ...]:
            # Exceptions do not cross processes whole (MatchVoided would lose its records): plain tuples.
            from harness.protocol import MatchVoided
            from harness.runner.execute import play_job

            try:
                result = await play_job(job, resources=self.resources, plan_cache=self.plan_cache)
            except MatchVoided as void:
                return ("void", void.reason, void.decisions, void.cause)
            except Exception as exc:
                return ("error", exc)
            return ("ok", result)

    return MatchWorker


def run_jobs_ray(
    jobs: Sequence[MatchJob],
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
        jobs: The jobs (their order is the queue order, as in the asyncio runner).
        store: The store; only this process writes to it.
        run_id: The run's id in the store.
        options: As for the asyncio runner (``max_matches`` is split between workers).
        stats: Counters to update (a fresh set if omitted).
        address: A Ray cluster to join (``None``: start a local one, or use ``RAY_ADDRESS``).
        workers: Worker processes (default: the cluster's CPUs, at most the matches to play).

    Raises:
        UserError: Ray is not installed, or a job names a model a worker cannot build.
        CacheMiss: A replay-only cache has no answer (after writing what finished).
    """
    ray = require_ray()
    from harness.protocol import MatchVoided

    opts = options or RunOptions()
    st = stats or RunStats()
    _check_playable(jobs)
    pending = pending_jobs(jobs, store, st)
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
        per_worker = max(1, opts.max_matches // n)
        worker_class = _worker_class(ray)
        actors = [
            # Slack above per_worker: a call waiting for its turn must never hold the slot it waits for.
            worker_class.options(max_concurrency=2 * per_worker).remote(
                worker_settings(opts.model_settings, n)
            )
            for _ in range(n)
        ]
        groups = affinity_groups([p.job for p in pending])
        pinned: list[deque[Pending]] = [deque() for _ in range(n)]
        free: deque[Pending] = deque()
        group_worker: dict[int, int] = {}
        load = [0] * n
        for item in pending:
            group = groups.get(item.job.match_id)
            if group is None:
                free.append(item)
                continue
            if group not in group_worker:  # a new group goes to the least-loaded worker (stable ties)
                group_worker[group] = min(range(n), key=lambda w: (load[w], w))
            w = group_worker[group]
            load[w] += 1
            pinned[w].append(item)
        in_flight: dict[Any, tuple[Pending, int]] = {}
        busy = [0] * n
        seqs = [0] * n
        error: BaseException | None = None

        def submit() -> None:
            for w in range(n):
                while busy[w] < per_worker and (pinned[w] or free):
                    item = pinned[w].popleft() if pinned[w] else free.popleft()
                    item.started_at = utc_now()
                    in_flight[actors[w].play.remote(item.job, seqs[w])] = (item, w)
                    seqs[w] += 1
                    busy[w] += 1

        with view:
            try:
                submit()
                while in_flight and error is None:
                    ready, _ = ray.wait(list(in_flight), num_returns=1)
                    item, w = in_flight.pop(ready[0])
                    busy[w] -= 1
                    try:
                        outcome = ray.get(ready[0])
                    except Exception as exc:  # a worker process died (killed, out of memory)
                        outcome = ("error", WorkerLost(f"a Ray worker failed ({type(exc).__name__}): {exc}"))
                    if outcome[0] == "ok":
                        settle_finished(item, outcome[1], store, st, run_id=run_id)
                        st.rounds += len(outcome[1].rounds)
                    elif outcome[0] == "void":
                        void = MatchVoided(outcome[1], outcome[2], outcome[3])
                        if settle_void(item, void, store, st, run_id=run_id, max_tries=opts.max_tries):
                            # Back to the same worker's queue if pinned (its plan cache), else anyone's.
                            (pinned[w] if item.job.match_id in groups else free).append(item)
                    else:
                        error = outcome[1]
                    view.update()
                    if error is None:
                        submit()
            except KeyboardInterrupt:
                st.interrupted = True
            finally:
                for ref in in_flight:
                    with contextlib.suppress(Exception):  # best effort: the workers are shut down anyway
                        ray.cancel(ref)
        if error is not None:
            raise error
        return st
    finally:
        if started_here:
            ray.shutdown()
