"""One answer-rate decision: was there a win against the plan the model answered, and did it take it?

This module is the part of the answer rate that simulates. It needs only the Game API and the shared
best-response search (:func:`games.analysis.best_response.best_response`), and it imports neither pandas nor
anything else of the metrics, so worker processes start quickly. :mod:`metrics.answer_rate` turns round
records into :class:`Task` objects and runs :func:`evaluate` on them, in worker processes for large stores.

For one task (a decision of side s, answering the opponent plan O):

1. The search: ``best_response(game, s, [O], sims=S, rng=random.Random(f"{match_id}:{round}:{s}"),
   stop_value=1.0)``. It scores the game's greedy plan first, then mutations and random plans, and stops at
   the first plan that beats O. ``beatable`` ⇔ it found one (payoff +1; every candidate is valid and within
   s's budget). The rng is seeded from a string (SHA-512 in the standard library), so ``PYTHONHASHSEED``
   never matters, and the seed does not depend on what the model submitted.
2. The margin refinement (only if beatable and the game defines :meth:`Game.margin`): a second search of
   ``max(1, S // 4)`` simulations, seeded with the winning plan, keeps the winning plan of the largest margin;
   that is ``best_margin``. The first search stops at the first win, so without this the reference margin
   would be whichever win happened to be found first.
3. The answer: the submitted plan P is simulated against O. ``answered`` ⇔ the submission was clean (no
   violations, within budget: the round record's violation flag x = 0) and the simulator's winner of P vs O
   is s. ``answer_margin`` = ``game.margin`` of that battle, when answered.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from games.core.errors import UserError
from games.core.game import Game
from games.core.types import SideKey

#: Version of the procedure in this module; part of the cache key, so changing the procedure (or the shared
#: search) and bumping this recomputes instead of reusing stale rows.
SEARCH_VERSION: Final = "1"

#: Status of a decision that counts (the others are kept in the table but never in a rate).
SCORED: Final = "scored"
#: The answered plan costs more than the opponent's budget: the §1.5 adjudication hands the round to any
#: within-budget plan, so the decision says nothing about finding a best response (OBR measures it).
OPPONENT_OVER_BUDGET: Final = "opponent_over_budget"
#: A stored plan is not JSON (cannot happen in a store written by the protocol).
UNREADABLE_PLAN: Final = "unreadable_plan"

_EPS: Final = 1e-9

GameFactory = Callable[[str, str, str], Game[Any]]


@dataclass(frozen=True)
class Task:
    """One own-turn decision to evaluate.

    Attributes:
        match_id: The match.
        round: The round k whose plan the decision set (k ≥ 2).
        side: The deciding side.
        game: Game name.
        ruleset: Ruleset of the match's game.
        params_json: The match's effective game parameters (JSON object).
        opponent_plan: Canonical JSON of the plan the side answered (the opponent's plan at round k − 1).
        own_plan: Canonical JSON of the side's plan at round k (its submission when ``own_ok``).
        own_ok: The latest submission had no violation and was within budget (x = 0 at round k).
        opponent_over: The answered plan costs more than the opponent's budget.
    """

    match_id: str
    round: int
    side: SideKey
    game: str
    ruleset: str
    params_json: str
    opponent_plan: str
    own_plan: str
    own_ok: bool
    opponent_over: bool


@dataclass(frozen=True)
class Outcome:
    """What :func:`evaluate` found for one task.

    Attributes:
        status: :data:`SCORED`, :data:`OPPONENT_OVER_BUDGET` or :data:`UNREADABLE_PLAN`.
        beatable: The search found a within-budget plan that beats the answered plan.
        answered: The (clean) submission beats the answered plan.
        best_margin: Margin of the best winning plan found (None unless beatable, or without a game margin).
        answer_margin: Margin of the submission's win (None unless answered, or without a game margin).
        search_sims: Simulations the searches ran.
        best_plan: Canonical JSON of the winning plan found (None unless beatable).
    """

    status: str
    beatable: bool
    answered: bool
    best_margin: float | None
    answer_margin: float | None
    search_sims: int
    best_plan: str | None


def has_margin(game: Game[Any]) -> bool:
    """Whether ``game`` defines a margin (the base class's constant 0 means it has none)."""
    return type(game).margin is not Game.margin


def build_game(name: str, ruleset: str, params_json: str) -> Game[Any]:
    """The game of a stored match: its name, ruleset and effective parameters.

    Raises:
        UserError: Unknown game, ruleset or parameter (the registry's own message).
    """
    from games.registry import get_game

    params = json.loads(params_json) if params_json else {}
    try:
        return get_game(name, params, ruleset=ruleset)
    except TypeError:  # a registry without rulesets knows only the original engines
        if ruleset != "v1":
            raise UserError(f"this Stratagem has no ruleset {ruleset!r} of {name}") from None
        return get_game(name, params)


@lru_cache(maxsize=64)
def _cached_game(name: str, ruleset: str, params_json: str) -> Game[Any]:
    return build_game(name, ruleset, params_json)


def seed_string(match_id: str, round_: int, side: str) -> str:
    """The string the search's ``random.Random`` is seeded with."""
    return f"{match_id}:{round_}:{side}"


def evaluate(task: Task, sims: int, game: Game[Any]) -> Outcome:
    """Search for a win against the answered plan and check the submission (see the module docstring).

    Args:
        task: The decision.
        sims: The search budget S (simulations of the first search).
        game: The match's game.
    """
    side = task.side
    other: SideKey = "B" if side == "A" else "A"
    try:
        opp_raw, own_raw = json.loads(task.opponent_plan), json.loads(task.own_plan)
    except (TypeError, ValueError):
        return Outcome(UNREADABLE_PLAN, False, False, None, None, 0, None)
    status = OPPONENT_OVER_BUDGET if task.opponent_over else SCORED
    opponent = game.validate(other, opp_raw)
    with_margin = has_margin(game)
    answered, answer_margin = False, None
    if task.own_ok:
        own = game.validate(side, own_raw)
        if own.ok and own.cost <= game.side(side).budget:
            result = game.simulate(own, opponent) if side == "A" else game.simulate(opponent, own)
            answered = result.winner == side
            if answered and with_margin:
                answer_margin = float(game.margin(result, side))
    if status != SCORED:
        return Outcome(status, False, answered, None, answer_margin, 0, None)
    rng = random.Random(seed_string(task.match_id, task.round, side))
    from games.analysis.best_response import best_response  # scipy.optimize: imported when searching

    found = best_response(game, side, [opponent], sims=sims, rng=rng, stop_value=1.0)
    used = found.sims
    beatable = found.value >= 1.0 - _EPS
    best_margin: float | None = None
    best_plan: str | None = None
    if beatable:
        best = found
        if with_margin:
            best = best_response(
                game, side, [opponent], sims=max(1, sims // 4), rng=rng, seeds=[found.plan.plan]
            )
            used += best.sims
            best_margin = float(best.margin)
        best_plan = best.plan.canonical_json()
    return Outcome(status, beatable, answered, best_margin, answer_margin, used, best_plan)


def evaluate_many(tasks: list[Task], sims: int, factory: GameFactory | None = None) -> list[Outcome | None]:
    """:func:`evaluate` on each task, in order; ``None`` where the task's game cannot be built.

    Args:
        tasks: The decisions.
        sims: The search budget.
        factory: ``(game, ruleset, params_json) -> Game``; default: the registry (cached per process).
    """
    make = factory or _cached_game
    out: list[Outcome | None] = []
    for t in tasks:
        try:
            game = make(t.game, t.ruleset, t.params_json)
        except (UserError, ValueError):
            out.append(None)
            continue
        out.append(evaluate(t, sims, game))
    return out
