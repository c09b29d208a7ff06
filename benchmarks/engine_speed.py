"""Engine speed: battles per second per game on a fixed seeded set of 1,000 valid plan pairs.

Targets on one core: tower defense >= 500/s, battle card >= 5,000/s, elemental duel >= 10,000/s.
Each game runs in a fresh subprocess so its peak memory (max RSS) is its own. Plans are generated and
validated before timing; only ``simulate`` is timed (best of 3 passes, to damp noise from other load).

Usage: python benchmarks/engine_speed.py [--pairs 1000] [--seed 0] [GAME[@ruleset=R] ...]

With no game, every game's default ruleset (v2); ``tower_defense@ruleset=v1`` measures ruleset v1.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

TARGETS = {"tower_defense": 500.0, "battle_card": 5_000.0, "elemental_duel": 10_000.0}


def measure(game_name: str, pairs: int, seed: int) -> dict[str, float]:
    """Time ``pairs`` simulations of one game (``GAME[@ruleset=R]``) in this process."""
    from games import parse_game_ref

    game = parse_game_ref(game_name).make()
    rng = random.Random(seed)
    plans = [
        (game.validate("A", game.random_plan("A", rng)), game.validate("B", game.random_plan("B", rng)))
        for _ in range(pairs)
    ]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for va, vb in plans:
            game.simulate(va, vb)
        best = min(best, time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"battles_per_s": pairs / best, "seconds": best, "peak_rss_mb": peak_mb}


def main() -> int:
    """Run every game in its own subprocess and print the figures next to the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("games", nargs="*", default=list(TARGETS))
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.games[0], args.pairs, args.seed)))
        return 0
    print(f"{'game':<26}{'battles/s':>12}{'target':>10}{'ratio':>8}{'peak RSS':>11}  verdict")
    ok = True
    for name in args.games:
        out = subprocess.run(
            [sys.executable, __file__, name, "--child", "--pairs", str(args.pairs), "--seed", str(args.seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        fig = json.loads(out.stdout.strip().splitlines()[-1])
        target = TARGETS.get(name.partition("@")[0], 0.0)
        ratio = fig["battles_per_s"] / target if target else float("nan")
        verdict = "meets target" if ratio >= 1 else "BELOW TARGET"
        ok &= ratio >= 1
        print(
            f"{name:<26}{fig['battles_per_s']:>12,.0f}{target:>10,.0f}{ratio:>7.2f}x"
            f"{fig['peak_rss_mb']:>8.0f} MB  {verdict}"
        )
    print(f"({args.pairs} seeded random valid plan pairs per game, seed {args.seed}, one core, best of 3)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
