"""Building the plan populations of an audit: random plans, the bots' plans, hill climbing, double oracle.

Each stage adds plans to one :class:`~games.analysis.payoff.PayoffMatrix`. The double oracle repeatedly
solves the game restricted to the plans found so far and adds each side's best response to the other
side's equilibrium mix, until the bounded search finds no plan that improves on the restricted value. A
final stage targets every *unbeaten* plan (one no plan of the other side beats) with its own search for a
plan that beats it, so an unbeaten plan in the report has survived a direct attack, not just a population.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.analysis.best_response import best_response
from games.analysis.equilibrium import Equilibrium, solve_zero_sum
from games.analysis.payoff import PayoffMatrix
from games.bots import make_bot
from games.core.game import Game
from games.core.types import SIDE_KEYS, SideKey, ValidatedPlan, other_side

#: Told (stage name, detail) when a stage starts or makes progress.
StageCallback = Callable[[str, str], None]
#: A double-oracle best response must beat the restricted value by more than this to count.
IMPROVE_EPS = 1e-6


@dataclass(frozen=True)
class AuditSize:
    """How hard an audit looks.

    Attributes:
        random_plans: Random valid plans per side.
        hill_climbs: Hill-climbing searches per side, each against a random handful of opponent plans.
        br_sims: Simulations per best-response search.
        oracle_iters: Most double-oracle iterations.
        oracle_patience: The double oracle stops after this many iterations in a row in which neither
            side's search (each with a fresh generator) improved on the restricted value.
        unbeaten_rounds: Most rounds of targeted searches against unbeaten plans.
        unbeaten_targets: Most unbeaten plans attacked per side and round (heaviest first).
        search_matches: Search-bot self-play matches for ``search_distinct``.
        search_rounds: Revision rounds per such match.
    """

    random_plans: int
    hill_climbs: int
    br_sims: int
    oracle_iters: int
    unbeaten_rounds: int
    unbeaten_targets: int
    oracle_patience: int = 1
    search_matches: int = 10
    search_rounds: int = 10


SIZES: dict[str, AuditSize] = {
    "small": AuditSize(60, 8, 400, 12, 1, 8, search_matches=4, search_rounds=6),
    "default": AuditSize(200, 32, 2500, 80, 2, 24, oracle_patience=3),
    "large": AuditSize(400, 64, 4000, 120, 3, 64, oracle_patience=4),
}


def stage_rng(seed: int, *parts: object) -> random.Random:
    """A generator for one stage of one audit; string seeds are hashed by SHA-512, never by ``hash()``."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


@dataclass
class Population:
    """The populations of both sides, with their payoff matrix and where each plan came from."""

    matrix: PayoffMatrix
    origin: dict[SideKey, list[str]]

    def add(self, side: SideKey, plan: ValidatedPlan, origin: str) -> bool:
        """Add one plan, remembering its origin; True if it was new."""
        _, new = self.matrix.add(side, plan)
        if new:
            self.origin[side].append(origin)
        return new

    def indices(self, side: SideKey, origin: str) -> list[int]:
        """The indices of ``side``'s plans that came from ``origin``."""
        return [i for i, o in enumerate(self.origin[side]) if o == origin]

    def solve(self) -> Equilibrium:
        """The equilibrium of the game restricted to the current populations."""
        return solve_zero_sum(self.matrix.matrix)


def build_population(game: Game[Any], seed: int, size: AuditSize, on_stage: StageCallback) -> Population:
    """Run every stage and return the final populations."""
    pop = Population(PayoffMatrix(game), {"A": [], "B": []})
    on_stage("random plans", f"{size.random_plans} per side")
    for side in SIDE_KEYS:
        rng = stage_rng(seed, "random", side)
        for _ in range(size.random_plans):
            pop.add(side, game.validate(side, game.random_plan(side, rng)), "random")
    on_stage("bot plans", "greedy and search")
    for side in SIDE_KEYS:
        pop.add(side, game.validate(side, game.greedy_plan(side)), "greedy")
        search = make_bot("search")
        for k in range(4):
            pop.add(
                side, game.validate(side, search.plan(game, side, stage_rng(seed, "bot", side, k))), "search"
            )
    on_stage("hill climbing", f"{size.hill_climbs} per side")
    for side in SIDE_KEYS:
        rng = stage_rng(seed, "climb", side)
        for _ in range(size.hill_climbs):
            others = pop.matrix.plans[other_side(side)]
            picks = rng.sample(range(len(others)), min(8, len(others)))
            br = best_response(game, side, [others[i] for i in picks], sims=size.br_sims, rng=rng)
            pop.add(side, br.plan, "hill_climb")
    double_oracle(pop, seed, size, on_stage)
    attack_unbeaten(pop, seed, size, on_stage)
    return pop


def double_oracle(pop: Population, seed: int, size: AuditSize, on_stage: StageCallback) -> None:
    """Add best responses to the restricted equilibrium until neither side's search improves on it.

    One failed search is weak evidence in a game with many counters (a bounded search often misses the
    answer to a mix that a longer one finds), so it stops only after ``oracle_patience`` failed
    iterations in a row, each drawing from a new generator and with twice the previous budget.
    """
    game = pop.matrix.game
    stale = 0
    for it in range(size.oracle_iters):
        eq = pop.solve()
        on_stage("double oracle", f"iteration {it + 1}, value {eq.value:+.3f}")
        improved = False
        for side, weights, sign in (("A", eq.y, 1.0), ("B", eq.x, -1.0)):
            s: SideKey = "A" if side == "A" else "B"
            opp = other_side(s)
            support = [int(i) for i in np.flatnonzero(weights > 1e-6)]
            seeds = [pop.matrix.plans[s][i].plan for i in pop_support(eq, s)]
            br = best_response(
                game,
                s,
                [pop.matrix.plans[opp][i] for i in support],
                weights=[float(weights[i]) for i in support],
                sims=size.br_sims << stale,
                rng=stage_rng(seed, "oracle", it, s),
                seeds=seeds[:4],
                stop_value=1.0,
            )
            if br.value > sign * eq.value + IMPROVE_EPS and pop.add(s, br.plan, "double_oracle"):
                improved = True
        stale = 0 if improved else stale + 1
        if stale >= size.oracle_patience:
            return


def pop_support(eq: Equilibrium, side: SideKey) -> list[int]:
    """``side``'s support indices, heaviest first (stable for equal weights)."""
    w = eq.x if side == "A" else eq.y
    return sorted(eq.support(0 if side == "A" else 1), key=lambda i: -float(w[i]))


def unbeaten(pop: Population, side: SideKey) -> list[int]:
    """Indices of ``side``'s plans that no plan of the other side beats."""
    m = pop.matrix.matrix
    lost = (m == -1).any(axis=1) if side == "A" else (m == 1).any(axis=0)
    return [int(i) for i in np.flatnonzero(~lost)]


def beat_share(pop: Population, side: SideKey) -> list[float]:
    """For each of ``side``'s plans, the share of the other side's population it beats."""
    m = pop.matrix.matrix
    wins = (m == 1).mean(axis=1) if side == "A" else (m == -1).mean(axis=0)
    return [float(w) for w in wins]


def attack_unbeaten(pop: Population, seed: int, size: AuditSize, on_stage: StageCallback) -> None:
    """Search directly for a plan that beats each unbeaten plan; add every beater found."""
    game = pop.matrix.game
    for rnd in range(size.unbeaten_rounds):
        added = 0
        for side in SIDE_KEYS:
            targets = unbeaten(pop, side)
            share = beat_share(pop, side)
            targets = sorted(targets, key=lambda i: -share[i])[: size.unbeaten_targets]
            on_stage("unbeaten plans", f"round {rnd + 1}: attacking {len(targets)} {side} plans")
            attacker = other_side(side)
            # The attacker's strongest plans are the likeliest starts: a beater is often a small change of
            # a plan that already beats most of the target's side (a reordering, one unit swapped).
            strong = beat_share(pop, attacker)
            starts = sorted(range(len(strong)), key=lambda j: -strong[j])[:4]
            seeds = [pop.matrix.plans[attacker][j].plan for j in starts]
            for i in targets:
                target = pop.matrix.plans[side][i]
                br = best_response(
                    game,
                    attacker,
                    [target],
                    sims=size.br_sims,
                    rng=stage_rng(seed, "unbeaten", rnd, side, i),
                    seeds=seeds,
                    stop_value=1.0,
                )
                if br.value >= 1.0 and pop.add(attacker, br.plan, "anti_unbeaten"):
                    added += 1
        if not added:
            return
        double_oracle(pop, seed + 7919 * (rnd + 1), size, on_stage)
