"""Play a small bots experiment in process (the asyncio runner) into a store, for metrics tests."""

from __future__ import annotations

from pathlib import Path

from harness.experiments import expand, parse_experiment
from harness.models import RetryPolicy
from harness.models.settings import ModelSettings
from harness.runner import RunOptions, run_jobs
from harness.store import ResultStore


def run_bots(yaml_text: str, path: Path) -> Path:
    """Run the experiment ``yaml_text`` (bots only) into the store ``path`` and return the path."""
    cfg = parse_experiment(yaml_text, "bots.yaml", default_name="bots")
    settings = ModelSettings(retry=RetryPolicy(max_attempts=1, base_backoff_s=0.0))
    with ResultStore(path) as store:
        run_id = store.start_run(cfg.name, "{}")
        run_jobs(
            expand(cfg), store, run_id=run_id, options=RunOptions(progress=False, model_settings=settings)
        )
    return path
