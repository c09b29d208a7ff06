"""Answer rate at the advgamebench preset's size (432 matches x 10 rounds), cold and warm from the cache.

The store is the preset's shape played by bots: 12 bots (random, greedy, and the search bot at 4 … 128
simulations) vs a panel of three of them, ruleset v1, 3 games, 4 settings, 10 rounds, shared initial plans.
That is 432 matches and about 4,200 own-turn decisions. It is built once (a minute or two) and kept at
``--store``. Timed:

- **cold**: ``answer_decisions`` on a copy of the store without the derived table. It searches every decision
  in worker processes (``--workers``, default all CPUs) and writes the cache;
- **warm**: the same call again, which reads every decision from the cache and simulates nothing;
- **metrics**: ``compute_metrics`` with the answer rate, 1,000 bootstrap resamples.

Target: cold <= 60 s on 2 cores at the default search budget. Prints each figure next to its target and the
ratio, and the CPU time of the cold step (workers included): on a shared machine the wall time also holds
the wait for other processes, and CPU / cores is what the same step takes on idle cores.

    python benchmarks/answer_rate.py [--sims 64] [--workers N] [--store PATH] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # see metrics_scale.py: BLAS threads oversubscribe
os.environ.setdefault("OMP_NUM_THREADS", "1")

TARGET_COLD_S = 60.0


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker processes), user + system."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        use = resource.getrusage(who)
        total += use.ru_utime + use.ru_stime
    return total


BOTS = [
    "bot/random",
    "bot/greedy",
    *(f"bot/search@sims={n}" for n in (4, 8, 12, 16, 24, 32, 48, 64, 96, 128)),
]
PANEL = ["bot/random", "bot/greedy", "bot/search@sims=64"]


def build_store(path: Path) -> None:
    """Play the preset's shape with bots into ``path`` (in process, asyncio runner)."""
    from harness.experiments import ExperimentConfig, expand, load_preset
    from harness.models import RetryPolicy
    from harness.models.settings import ModelSettings
    from harness.runner import RunOptions, run_jobs
    from harness.store import ResultStore

    data = load_preset("advgamebench").model_dump(mode="json", exclude_unset=True)
    data.update(models=BOTS, pairing={"mode": "vs_panel", "panel": PANEL}, store=str(path))
    data.pop("generation_overrides", None)
    data["cache"] = {"mode": "off"}
    cfg = ExperimentConfig.model_validate(data)
    jobs = expand(cfg)
    settings = ModelSettings(retry=RetryPolicy(max_attempts=1, base_backoff_s=0.0))
    with ResultStore(path) as store:
        run_id = store.start_run(cfg.name, "{}")
        run_jobs(jobs, store, run_id=run_id, options=RunOptions(progress=False, model_settings=settings))


def main() -> int:
    """Build (or reuse) the store, then time the answer rate cold and warm."""
    from metrics import compute_metrics, load_store
    from metrics.answer_cache import TABLE
    from metrics.answer_rate import DEFAULT_SIMS, answer_decisions, available_cpus

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sims", type=int, default=DEFAULT_SIMS)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--store", type=Path, default=Path(tempfile.gettempdir()) / "stratagem_bench_ar.sqlite")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()

    if args.rebuild or not args.store.exists():
        args.store.unlink(missing_ok=True)
        t = time.perf_counter()
        build_store(args.store)
        print(f"built {args.store} in {time.perf_counter() - t:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store.sqlite"
        src = sqlite3.connect(args.store)
        dst = sqlite3.connect(copy)
        src.backup(dst)  # a consistent copy even of a WAL store
        src.close()
        dst.execute(f"DROP TABLE IF EXISTS {TABLE}")
        dst.commit()
        dst.close()
        frames = load_store(copy)
        n_matches = int((frames.matches["status"] == "finished").sum())
        workers = args.workers or available_cpus()
        print(
            f"store: {n_matches} matches, {len(frames.rounds):,} round records; search budget {args.sims}; "
            f"{workers} worker process(es) on {available_cpus()} CPU(s); "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        t, c = time.perf_counter(), cpu_seconds()
        cold = answer_decisions(frames, sims=args.sims, store=copy, workers=workers)
        t_cold, c_cold = time.perf_counter() - t, cpu_seconds() - c
        t = time.perf_counter()
        warm = answer_decisions(frames, sims=args.sims, store=copy, workers=workers)
        t_warm = time.perf_counter() - t
        t = time.perf_counter()
        compute_metrics(frames, n_boot=1000, answers=warm.decisions, with_ratings=False)
        t_metrics = time.perf_counter() - t

    d = cold.decisions
    print(f"decisions: {len(d):,} ({cold.computed:,} computed cold; {warm.cached:,} cached warm)")
    for game, g in d.groupby("game"):
        print(
            f"  {game:<15} {len(g):5,} decisions, {g['search_sims'].mean():6.1f} sims/decision, "
            f"beatable {g['beatable'].mean():.0%}, answered {g['answered'].mean():.0%}"
        )
    print(f"{'step':<38}{'wall':>9}{'target':>10}{'ratio':>8}  verdict")
    ok = t_cold <= TARGET_COLD_S and warm.computed == 0
    for label, secs, verdict in (
        ("cold (search every decision)", t_cold, "OK" if t_cold <= TARGET_COLD_S else "MISSED"),
        ("warm (from the cache)", t_warm, "OK" if warm.computed == 0 else "MISSED (simulated again)"),
    ):
        print(f"{label:<38}{secs:8.2f}s{TARGET_COLD_S:9.0f}s{secs / TARGET_COLD_S:8.2f}  {verdict}")
    print(f"{'metrics with ar (1,000 resamples)':<38}{t_metrics:8.2f}s")
    print(
        f"cold CPU time: {c_cold:.1f} s (workers included), i.e. {c_cold / workers:.1f} s of wall on "
        f"{workers} idle core(s); the wall time above includes waiting for other load (load average "
        f"{os.getloadavg()[0]:.1f})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
