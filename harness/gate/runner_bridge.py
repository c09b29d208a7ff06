"""Playing a check's batches with the experiment runner (:mod:`harness.runner.execute`).

One :class:`RunnerPlayer` per check: it builds the model layer's settings once (so every batch shares the
per-provider limits and the response cache / cassette), records one ``runs`` row in the store, and refuses —
like ``stratagem run`` — to write into a store holding other measurements of the same matches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from games.core.errors import UserError
from harness.experiments.jobs import MatchJob
from harness.gate.spec import CheckSpec
from harness.models.settings import ModelSettings
from harness.runner.execute import RunOptions, run_jobs_async
from harness.runner.guard import check_store_compatible
from harness.store.store import ResultStore

#: Tries per match before it is stored as voided (infrastructure failures), as ``stratagem run``.
MAX_TRIES = 3


class CheckInterrupted(UserError):
    """Ctrl-C stopped a batch; what finished is in the store."""


def spec_json(spec: CheckSpec) -> str:
    """The check as JSON for the store's ``runs`` row (names and numbers only, never a secret)."""
    return json.dumps(
        {
            "candidate": spec.candidate,
            "baseline": spec.baseline,
            "baseline_store": str(spec.baseline_store) if spec.baseline_store else None,
            "panel": list(spec.panel),
            "games": list(spec.games),
            "metric": spec.metric.name,
            "margin": spec.design.margin,
            "alpha": spec.design.alpha,
            "beta": spec.design.beta,
            "max_matches": spec.max_matches,
            "settings": [list(s) for s in spec.settings],
            "rounds": spec.rounds,
            "feedback": spec.feedback,
            "seed": spec.seed,
        },
        sort_keys=True,
    )


class RunnerPlayer:
    """Plays batches of one check into its store (see the module docstring).

    Args:
        spec: The check.
        fingerprint_jobs: Jobs covering every fingerprint the check will produce (one cycle of both arms),
            so the store guard sees the whole check, not just one batch of it.
    """

    def __init__(self, spec: CheckSpec, fingerprint_jobs: Sequence[MatchJob]) -> None:
        self.spec = spec
        self.fingerprint_jobs = list(fingerprint_jobs)
        self.model_settings = ModelSettings(cache_mode=spec.cache_mode, cache_path=spec.cache_path)
        self.run_id: str | None = None

    async def __call__(self, jobs: Sequence[MatchJob], spec: CheckSpec, store_path: Path) -> None:
        """Play ``jobs`` (already-finished ones are skipped by the runner)."""
        with ResultStore(store_path) as store:
            store.acquire_lease("stratagem check")  # the check's store has one writer too
            check_store_compatible(store, [*self.fingerprint_jobs, *jobs], allow_mixed=False)
            if self.run_id is None:
                self.run_id = store.start_run("check", spec_json(spec))
            stats = await run_jobs_async(
                jobs,
                store,
                run_id=self.run_id,
                options=RunOptions(
                    max_matches=spec.concurrency,
                    max_tries=MAX_TRIES,
                    model_settings=self.model_settings,
                    progress=None,
                ),
            )
        if stats.interrupted:
            raise CheckInterrupted(f"interrupted; {stats.finished} matches of this batch are in {store_path}")
