"""Bot-match overhead: the harness's CPU per match against the engine + validation CPU of its battles.

Plays ``--matches`` (default 2,000) elemental-duel matches, ``bot/random`` against ``bot/greedy``, 3
rounds (4 battles a match), through the real ``stratagem run`` command (in this process, after a small
warm-up run so that imports are not counted), into a fresh store. Then it takes the plan pairs of every
stored round (8,000 by default) and validates and simulates them directly, through the code path of
``stratagem sim --batch`` (``harness.cli.games_cmd._sim_one``): the work the run cannot avoid.

Both figures are CPU time of this process (``time.process_time``), so other load on the machine slows
neither much (it still slows both some: the cores and caches are shared). The two are measured in turns,
``--repeat`` times (a fresh store each time), and the fastest of each are compared (the least disturbed
measurements; the medians are printed too). Target: harness ms/match <= 2x engine + validation ms/match.

    python benchmarks/bot_overhead.py [--matches 2000] [--rounds 3] [--repeat 3] [--subprocess]

``--subprocess`` also runs the same plan as a child ``stratagem run`` process and prints its whole CPU time
(interpreter start-up and imports included), for context.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 2.0

CONFIG = """\
name: bot-overhead
games: [elemental_duel]
models: [bot/random, bot/greedy]
pairing: round_robin
settings: {{sides: [A, B], first_reviser: [A, B]}}
protocol: {{rounds: {rounds}}}
seeds: [{seeds}]
"""


def write_config(folder: Path, matches: int, rounds: int) -> Path:
    """An experiment of ``matches`` matches (4 settings per seed of one random-vs-greedy pair)."""
    seeds = ", ".join(str(s) for s in range(max(1, matches // 4)))
    path = folder / f"bot-overhead-{matches}.yaml"
    path.write_text(CONFIG.format(rounds=rounds, seeds=seeds))
    return path


def stratagem(args: list[str]) -> int:
    """Run the ``stratagem`` command in this process; its exit code."""
    from harness.cli.app import app

    try:
        app(args, standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def plan_pairs(store: Path) -> list[tuple[Any, Any]]:
    """Every stored round's two plans, as JSON values (what ``sim --batch`` reads from its lines)."""
    import sqlite3

    conn = sqlite3.connect(store)
    try:
        rows = conn.execute("SELECT plan_a, plan_b FROM rounds ORDER BY match_id, round").fetchall()
    finally:
        conn.close()
    return [(json.loads(a), json.loads(b)) for a, b in rows]


def engine_seconds(pairs: list[tuple[Any, Any]]) -> float:
    """CPU seconds to validate and simulate every pair once, as ``stratagem sim --batch`` does."""
    from games.registry import get_game
    from harness.cli.games_cmd import _sim_one

    game = get_game("elemental_duel")
    start = time.process_time()
    for obj_a, obj_b in pairs:
        _sim_one(game, obj_a, obj_b)
    return time.process_time() - start


def child_cpu(config: Path, store: Path) -> float:
    """User + system CPU seconds of a child ``stratagem run`` process (start-up included)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.app", "run", str(config), "--store", str(store), "-q"],
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"the child run failed with exit {proc.returncode}")
    return float(usage.ru_utime + usage.ru_stime)


def main() -> int:
    """Measure and print the two figures, their ratio and the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matches", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5, help="measurements of each (fastest compared)")
    parser.add_argument("--subprocess", action="store_true", help="also time a child stratagem run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bot-overhead-") as tmp:
        folder = Path(tmp)
        warm = write_config(folder, 8, args.rounds)
        if stratagem(["run", str(warm), "--store", str(folder / "warm.sqlite"), "-q"]) != 0:
            raise SystemExit("the warm-up run failed")
        config = write_config(folder, args.matches, args.rounds)
        harness_runs: list[float] = []
        walls: list[float] = []
        engine_runs: list[float] = []
        pairs: list[tuple[Any, Any]] = []
        for i in range(args.repeat):
            store = folder / f"run-{i}.sqlite"
            wall = time.perf_counter()
            start = time.process_time()
            code = stratagem(["run", str(config), "--store", str(store), "-q"])
            harness_runs.append(time.process_time() - start)
            walls.append(time.perf_counter() - wall)
            if code != 0:
                raise SystemExit(f"stratagem run failed with exit {code}")
            pairs = pairs or plan_pairs(store)
            engine_runs.append(engine_seconds(pairs))
        harness_s = min(harness_runs)
        wall = min(walls)
        engine_s = min(engine_runs)
        median_ratio = statistics.median(harness_runs) / statistics.median(engine_runs)
        matches = len(pairs) // (args.rounds + 1)
        child_s = child_cpu(config, folder / "child.sqlite") if args.subprocess else None
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    harness_ms = 1000 * harness_s / matches
    engine_ms = 1000 * engine_s / matches
    ratio = harness_ms / engine_ms
    print(
        f"elemental duel, bot/random vs bot/greedy, {args.rounds} rounds: {matches} matches,"
        f" {len(pairs)} plan pairs; fastest of {args.repeat}"
    )
    print(
        f"harness (stratagem run, CPU):        {harness_ms:7.3f} ms/match"
        f"  ({harness_s:.2f} s CPU, {wall:.2f} s wall, {matches / wall:,.0f} matches/s;"
        f" runs {', '.join(f'{1000 * h / matches:.3f}' for h in harness_runs)})"
    )
    print(
        f"engine + validation (sim --batch):   {engine_ms:7.3f} ms/match  ({engine_s:.2f} s CPU;"
        f" runs {', '.join(f'{1000 * e / matches:.3f}' for e in engine_runs)})"
    )
    if child_s is not None:
        child_ms = 1000 * child_s / matches
        print(f"child stratagem run (start-up incl): {child_ms:7.3f} ms/match  ({child_s:.2f} s CPU)")
    print(f"ratio of the medians: {median_ratio:.2f}x")
    verdict = "meets target" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(
        f"ratio harness / engine: {ratio:.2f}x  (target <= {TARGET_RATIO:.1f}x)  {verdict};"
        f" peak RSS {peak_mb:.0f} MB"
    )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
