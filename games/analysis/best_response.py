"""Bounded best-response search: the plan that does best against a weighted mix of opponent plans.

It is a hill climber with restarts, bounded by a number of simulations: start from seed plans (the greedy
plan and any the caller gives), then repeatedly either mutate the best plan so far or draw a fresh random
plan, and keep a candidate that scores at least as well (ties are accepted, so the search drifts across
plateaus instead of stalling on them). A candidate is scored lexicographically: first its expected payoff
against the mix, then its mean margin (:meth:`Game.margin`), which only breaks ties.

Opponents are evaluated heaviest first, and a candidate is dropped as soon as even winning every remaining
battle could not reach the best payoff so far: the answer is unchanged, and a weak candidate costs a few
simulations instead of the whole mix. The audit, the answer-rate metric and anyone else needing a best
response share this one search.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from games.core.errors import ParameterError
from games.core.game import Game
from games.core.types import SideKey, ValidatedPlan

#: Values closer than this are equal (weights come from an LP solver).
_EPS = 1e-9


@dataclass(frozen=True)
class BestResponse:
    """The best plan a search found.

    Attributes:
        plan: The plan (valid and within budget).
        value: Its expected payoff against the mix, from the searching side's view, in [−1, 1].
        margin: Its weighted mean margin against the mix (the tie-break), in [0, 1).
        sims: Simulations the search ran.
        candidates: Distinct candidate plans it scored.
    """

    plan: ValidatedPlan
    value: float
    margin: float
    sims: int
    candidates: int


def side_payoff(winner: SideKey | None, side: SideKey) -> int:
    """+1 if ``side`` won, −1 if it lost, 0 if there was no winner."""
    return 0 if winner is None else 1 if winner == side else -1


def best_response(
    game: Game[Any],
    side: SideKey,
    opponents: Sequence[ValidatedPlan],
    *,
    sims: int,
    rng: random.Random,
    weights: Sequence[float] | None = None,
    seeds: Sequence[dict[str, Any]] = (),
    stop_value: float | None = None,
    mutate_share: float = 0.7,
) -> BestResponse:
    """Search for ``side``'s best plan against ``opponents`` weighted by ``weights``.

    Args:
        game: The game.
        side: The side searching.
        opponents: The other side's plans (validated).
        sims: The simulation budget (at least 1; the seeds are always scored).
        rng: The only source of randomness.
        weights: Opponent weights (default uniform); normalised here, zero weights dropped.
        seeds: Plans to score first (invalid or over-budget ones are skipped).
        stop_value: Stop as soon as a plan's payoff reaches this (e.g. 1.0: it beats every opponent).
        mutate_share: The share of candidates that mutate the best plan rather than restart at random.

    Returns:
        The best plan found.

    Raises:
        ParameterError: With no opponents, or weights that do not match them or sum to zero.
    """
    mix = _normalised_mix(opponents, weights)
    budget = game.side(side).budget
    used = 0
    seen: dict[str, None] = {}
    best: tuple[float, float, ValidatedPlan] | None = None

    def consider(raw: dict[str, Any]) -> None:
        nonlocal used, best
        vp = game.validate(side, raw)
        key = vp.canonical_json()
        if key in seen:
            return
        seen[key] = None
        if not vp.ok or vp.cost > budget:
            used += 1  # an unusable candidate still costs a step, so the loop always ends
            return
        bar = best[0] if best is not None else -2.0
        value = margin = 0.0
        left = 1.0
        for opp, w in mix:
            result = game.simulate(vp, opp) if side == "A" else game.simulate(opp, vp)
            used += 1
            value += w * side_payoff(result.winner, side)
            margin += w * game.margin(result, side)
            left -= w
            if value + left < bar - _EPS:  # cannot reach the best even by winning the rest
                return
        if best is None or value > best[0] + _EPS or (abs(value - best[0]) <= _EPS and margin >= best[1]):
            best = (value, margin, vp)

    for raw in [game.greedy_plan(side), *seeds]:
        consider(raw)
    if best is None:  # the greedy plan and every seed were unusable: the empty plan always is usable
        consider(game.empty_plan(side).plan)
    steps = 0
    while used < sims and steps < 8 * sims:
        steps += 1
        if best is not None and stop_value is not None and best[0] >= stop_value - _EPS:
            break
        if best is not None and rng.random() < mutate_share:
            consider(game.mutate_plan(side, best[2].plan, rng))
        else:
            consider(game.random_plan(side, rng))
    if best is None:  # only if the game's empty plan is invalid, which the conformance check rules out
        raise ParameterError(f"{game.name} has no valid plan for side {side} within its budget")
    return BestResponse(best[2], best[0], best[1], used, len(seen))


def _normalised_mix(
    opponents: Sequence[ValidatedPlan], weights: Sequence[float] | None
) -> list[tuple[ValidatedPlan, float]]:
    """Pairs (plan, weight), weights summing to 1, zero weights dropped, heaviest first (stable)."""
    if not opponents:
        raise ParameterError("a best response needs at least one opponent plan")
    ws = [1.0] * len(opponents) if weights is None else [float(w) for w in weights]
    if len(ws) != len(opponents):
        raise ParameterError(f"{len(ws)} weights for {len(opponents)} opponent plans")
    total = sum(w for w in ws if w > 0)
    if total <= 0:
        raise ParameterError("opponent weights sum to zero")
    pairs = [(p, w / total) for p, w in zip(opponents, ws, strict=True) if w > 0]
    return sorted(pairs, key=lambda pw: -pw[1])  # sorted() is stable: equal weights keep their order
