"""The experiment runner: asyncio execution of match jobs into a results store (resumable).

* :func:`run_jobs` / :func:`run_jobs_async` — play jobs not yet finished in the store.
* :func:`play_job` — play one job (used by ``stratagem play`` and the CI gate).
* :func:`check_store_compatible` — refuse to pool different measurements silently.
* :mod:`harness.runner.queue` — the jobs still to play, streamed from the plan with chunked resume checks.
* :mod:`harness.runner.writer` — finished matches written a small, time-bounded group per transaction.
* :mod:`harness.runner.ray_executor` — the same jobs on Ray worker processes (the ``[ray]`` extra).
* :mod:`harness.runner.adaptive` — ``run --adaptive``: batches until the leaderboard is settled
  (:mod:`.adaptive_plan` the schedule, :mod:`.adaptive_fit` the criterion, :mod:`.adaptive_design` the
  batch rule); :mod:`harness.runner.budget` — ``--max-cost``; :mod:`harness.runner.steer` — their options.
"""

from harness.runner.execute import (
    MatchResources,
    RunOptions,
    model_settings_for,
    play_job,
    run_jobs,
    run_jobs_async,
)
from harness.runner.guard import check_store_compatible
from harness.runner.progress import ProgressView, RunStats

__all__ = [
    "MatchResources",
    "ProgressView",
    "RunOptions",
    "RunStats",
    "check_store_compatible",
    "model_settings_for",
    "play_job",
    "run_jobs",
    "run_jobs_async",
]
