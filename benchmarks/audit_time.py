"""Audit time: seconds per game of ``stratagem audit GAME --size default`` (target: at most 300 s).

Each audit runs in this process, one after the other, with the progress bar off; the time is the wall
time of :func:`games.analysis.audit.audit` (populations, matrix, equilibrium, bot exploitability, search
self-play), which is what the command spends before writing its three files. The figure is printed next
to the target with their ratio (time / target: at most 1 passes).

Usage: python benchmarks/audit_time.py [--size default] [--seed 0] [--ruleset v2] [GAME ...]
"""

from __future__ import annotations

import argparse
import time

TARGET_S = 300.0
GAMES = ("tower_defense", "battle_card", "elemental_duel")


def main() -> int:
    """Audit each game and print its time next to the target."""
    from games.analysis.audit import audit
    from games.registry import get_game

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("games", nargs="*", default=list(GAMES))
    parser.add_argument("--size", default="default")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ruleset", default=None, help="default: each game's default ruleset")
    args = parser.parse_args()
    head = f"{'game':<16}{'ruleset':>8}{'seconds':>10}{'target':>8}{'ratio':>8}{'sims':>11}{'sims/s':>9}"
    print(head + "  verdict")
    ok = True
    for name in args.games:
        game = get_game(name, None, args.ruleset)
        start = time.perf_counter()
        report = audit(game, seed=args.seed, size=args.size).report
        seconds = time.perf_counter() - start
        ratio = seconds / TARGET_S
        ok &= ratio <= 1
        verdict = "meets target" if ratio <= 1 else "OVER TARGET"
        print(
            f"{name:<16}{game.ruleset:>8}{seconds:>10.1f}{TARGET_S:>8.0f}{ratio:>7.2f}x"
            f"{report['sims']:>11,}{report['sims'] / seconds:>9,.0f}  {verdict}"
        )
    print(f"(size {args.size}, seed {args.seed}; one process, so one core does the work)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
