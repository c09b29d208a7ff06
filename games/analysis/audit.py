"""``run_audit``: is a game a fair measuring instrument? The whole audit of one game as a JSON-able dict.

It builds both sides' plan populations (:mod:`games.analysis.population`), solves the zero-sum game over
them, and reports A's equilibrium value, the supports, the unbeaten and near-dominant plans, how well A
does in random pairings, how exploitable each bot is, and how many distinct plans the search bot plays in
self-play. A population audit *proves* bias (a plan that beats everything found, or a value far from 0),
but can only *bound* the absence of dominance: a better plan may exist that no search found.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from games.analysis.best_response import best_response
from games.analysis.counting import CountingGame
from games.analysis.population import (
    SIZES,
    Population,
    beat_share,
    build_population,
    pop_support,
    stage_rng,
    unbeaten,
)
from games.bots import make_bot
from games.core.errors import ParameterError
from games.core.game import Game
from games.core.types import SIDE_KEYS, SideKey, ValidatedPlan, other_side

#: How many top equilibrium plans per side the report lists.
TOP_PLANS = 20
#: A plan "beats 95%" when it beats at least this share of the other side's population.
BEATS_SHARE = 0.95
#: The search bot used for ``search_distinct`` and ``bot_exploitability``.
SEARCH_BOT = "search"


def _noop_stage(stage: str, detail: str) -> None:
    pass


def _noop_sims(n: int) -> None:
    pass


@dataclass(frozen=True)
class AuditResult:
    """An audit's report and its payoff matrix.

    Attributes:
        report: The JSON-able report (the content of ``audit.json``).
        matrix: A's payoffs, rows and columns sorted by equilibrium weight, heaviest first.
    """

    report: dict[str, Any]
    matrix: npt.NDArray[np.int8]


def run_audit(
    game: Game[Any],
    *,
    seed: int = 0,
    size: str = "default",
    on_stage: Callable[[str, str], None] = _noop_stage,
    on_sims: Callable[[int], None] = _noop_sims,
) -> dict[str, Any]:
    """Audit ``game`` and return the report (the content of ``audit.json``); see :func:`audit`."""
    return audit(game, seed=seed, size=size, on_stage=on_stage, on_sims=on_sims).report


def audit(
    game: Game[Any],
    *,
    seed: int = 0,
    size: str = "default",
    on_stage: Callable[[str, str], None] = _noop_stage,
    on_sims: Callable[[int], None] = _noop_sims,
) -> AuditResult:
    """Audit ``game``: build the populations, solve the game, and report.

    Args:
        game: The game (any ruleset and parameters).
        seed: The audit's seed; the same seed gives the same report byte for byte.
        size: ``small``, ``default`` or ``large`` (see :data:`~games.analysis.population.SIZES`).
        on_stage: Progress callback, told (stage, detail).
        on_sims: Progress callback, told how many simulations just ran.

    Raises:
        ParameterError: On an unknown size.
    """
    if size not in SIZES:
        raise ParameterError(f"unknown audit size {size!r}; choose one of {', '.join(SIZES)}")
    spec = SIZES[size]
    counted = CountingGame(game, on_sims)
    pop = build_population(counted, seed, spec, on_stage)
    on_stage("equilibrium", f"{pop.matrix.shape[0]} x {pop.matrix.shape[1]} plans")
    eq = pop.solve()
    m = pop.matrix.matrix
    shares = {s: beat_share(pop, s) for s in SIDE_KEYS}
    rnd = {s: pop.indices(s, "random") for s in SIDE_KEYS}
    sub = m[np.ix_(rnd["A"], rnd["B"])]
    on_stage("bots", "best responses to each bot")
    exploit = bot_exploitability(counted, seed, spec.br_sims)
    on_stage("search bot", f"{spec.search_matches} self-play matches")
    distinct = search_distinct(counted, seed, spec.search_matches, spec.search_rounds)
    counted.flush()
    report: dict[str, Any] = {
        "game": game.name,
        "ruleset": game.ruleset,
        "params": game.params_dict(),
        "seed": seed,
        "size": size,
        "sims": counted.sims,
        "matrix_sims": pop.matrix.sims,
        "population": {"A": m.shape[0], "B": m.shape[1]},
        "origins": {s: _counts(pop.origin[s]) for s in SIDE_KEYS},
        "value": round(eq.value, 6),
        "a_win_equiv": round((eq.value + 1.0) / 2.0, 6),
        "support": {"A": len(eq.support(0)), "B": len(eq.support(1))},
        "equilibrium": {s: _top(pop, eq_weights(eq, s), pop_support(eq, s), shares[s], s) for s in SIDE_KEYS},
        "unbeaten": {
            s: [
                {"plan": pop.matrix.plans[s][i].plan, "beats": round(shares[s][i], 6)}
                for i in unbeaten(pop, s)
            ]
            for s in SIDE_KEYS
        },
        "beats_95": {s: int(sum(x >= BEATS_SHARE for x in shares[s])) for s in SIDE_KEYS},
        "uniform_a_win": round(float((sub == 1).mean()), 6) if sub.size else None,
        "uniform_pairs": int(sub.size),
        "bot_exploitability": exploit,
        "search_distinct": distinct,
    }
    # Heaviest equilibrium weight first; plans outside the support follow, strongest (mean payoff) first.
    rows = np.lexsort((-m.mean(axis=1), -eq.x))
    cols = np.lexsort((m.mean(axis=0), -eq.y))
    return AuditResult(report, np.array(m[np.ix_(rows, cols)]))


def eq_weights(eq: Any, side: SideKey) -> Any:
    """``side``'s equilibrium weights."""
    return eq.x if side == "A" else eq.y


def _top(
    pop: Population, w: Any, order: list[int], shares: list[float], side: SideKey
) -> list[dict[str, Any]]:
    return [
        {
            "weight": round(float(w[i]), 6),
            "beats": round(shares[i], 6),
            "origin": pop.origin[side][i],
            "plan": pop.matrix.plans[side][i].plan,
        }
        for i in order[:TOP_PLANS]
    ]


def _counts(items: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return out


def bot_plans(game: Game[Any], bot: str, side: SideKey, seed: int, k: int = 16) -> list[ValidatedPlan]:
    """The opening plans ``bot`` plays as ``side`` (no opponent plan known) over ``k`` seeds, deduplicated."""
    b = make_bot(bot)
    plans: dict[str, ValidatedPlan] = {}
    for j in range(1 if bot == "greedy" else k):
        vp = game.validate(side, b.plan(game, side, stage_rng(seed, "exploit", bot, side, j)))
        plans.setdefault(vp.canonical_json(), vp)
    return list(plans.values())


def bot_exploitability(game: Game[Any], seed: int, sims: int) -> dict[str, dict[str, float]]:
    """For each bot and side it plays, the payoff a best response earns against the bot's openings.

    The value is the exploiter's expected payoff in [−1, 1] against the bot's opening plans (uniformly
    mixed over seeds): 1 means every opening is beaten.
    """
    out: dict[str, dict[str, float]] = {}
    for bot in ("random", "greedy", SEARCH_BOT):
        out[bot] = {}
        for side in SIDE_KEYS:
            plans = bot_plans(game, bot, side, seed, k=4 if bot == SEARCH_BOT else 16)
            br = best_response(
                game, other_side(side), plans, sims=sims, rng=stage_rng(seed, "exploit-br", bot, side)
            )
            out[bot][side] = round(br.value, 6)
    return out


def search_distinct(game: Game[Any], seed: int, matches: int, rounds: int) -> dict[str, int]:
    """Distinct plans the search bot plays per side over ``matches`` search-vs-search matches.

    Each match follows the paper's protocol: both sides open with the search bot's opening, then the sides
    revise in turn (A first), each revision a search against the opponent's current plan.
    """
    bot = make_bot(SEARCH_BOT)
    seen: dict[SideKey, dict[str, None]] = {"A": {}, "B": {}}
    for k in range(matches):
        rng = random.Random(f"{seed}:search-match:{k}")
        current = {s: game.validate(s, bot.plan(game, s, rng)) for s in SIDE_KEYS}
        for side in SIDE_KEYS:
            seen[side][current[side].canonical_json()] = None
        for r in range(rounds):
            s: SideKey = "A" if r % 2 == 0 else "B"
            plan = bot.plan(game, s, rng, opponent=current[other_side(s)], previous=current[s])
            current[s] = game.validate(s, plan)
            seen[s][current[s].canonical_json()] = None
    return {s: len(seen[s]) for s in SIDE_KEYS}
