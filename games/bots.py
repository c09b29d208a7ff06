"""Baseline bots that play any registered game through the :class:`~games.core.Game` interface.

* ``random`` — a random valid plan within budget (seeded).
* ``greedy`` — the game's fixed heuristic plan.
* ``search`` — a best response: simulate candidate plans (the greedy plan, its own previous plan, random
  plans and mutations of the best so far) against the opponent's current plan and keep the best, bounded by
  ``sims`` simulations. Without an opponent plan (the initial phase) it scores candidates against the
  opponent's greedy plan plus random opponent plans.

Bots take parameters through the variant syntax: ``search@sims=64``.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from games.core.game import Game, build_params
from games.core.naming import parse_variant
from games.core.registry import Registry
from games.core.types import SideKey, ValidatedPlan, other_side


@dataclass(frozen=True)
class NoParams:
    """Bots without parameters."""


@dataclass(frozen=True)
class SearchParams:
    """Parameters of the search bot.

    Attributes:
        sims: Maximum number of simulations per decision.
        panel: Opponent plans to score against when the opponent's plan is unknown (initial phase).
    """

    sims: int = 64
    panel: int = 4


class Bot(ABC):
    """A plan-producing policy for one side of one game."""

    name: ClassVar[str]
    params_type: ClassVar[type[Any]] = NoParams
    #: True when :meth:`plan` depends only on the game and the side (it ignores ``rng``, ``opponent`` and
    #: ``previous``): a caller may then compute, validate and encode the plan once per game object and side.
    fixed_plan: ClassVar[bool] = False

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = build_params(self.params_type, params)

    @abstractmethod
    def plan(
        self,
        game: Game[Any],
        side: SideKey,
        rng: random.Random,
        opponent: ValidatedPlan | None = None,
        previous: ValidatedPlan | None = None,
    ) -> dict[str, Any]:
        """Return a plan (``{plan_key: [...]}``) for ``side``.

        Args:
            game: The game being played.
            side: The side to plan for.
            rng: The only source of randomness (seeded by the caller).
            opponent: The opponent's current validated plan, when known.
            previous: This bot's own previous validated plan, when there is one.
        """


class RandomBot(Bot):
    """A uniformly random valid plan within budget."""

    name = "random"

    def plan(self, game, side, rng, opponent=None, previous=None):  # type: ignore[no-untyped-def]  # noqa: D102
        return game.random_plan(side, rng)


class GreedyBot(Bot):
    """The game's fixed heuristic plan (ignores the opponent)."""

    name = "greedy"
    fixed_plan = True  # Game.greedy_plan is a fixed plan per side

    def plan(self, game, side, rng, opponent=None, previous=None):  # type: ignore[no-untyped-def]  # noqa: D102
        return game.greedy_plan(side)


class SearchBot(Bot):
    """Best response by simulation, bounded by ``sims`` simulations per decision."""

    name = "search"
    params_type = SearchParams

    def plan(
        self,
        game: Game[Any],
        side: SideKey,
        rng: random.Random,
        opponent: ValidatedPlan | None = None,
        previous: ValidatedPlan | None = None,
    ) -> dict[str, Any]:
        """Search candidate plans and return the best one found within the simulation budget."""
        params: SearchParams = self.params
        opp_side = other_side(side)
        if opponent is not None:
            opponents = [opponent]
        else:
            opponents = [game.validate(opp_side, game.greedy_plan(opp_side))]
            opponents += [
                game.validate(opp_side, game.random_plan(opp_side, rng)) for _ in range(params.panel - 1)
            ]
        budget = game.side(side).budget
        sims_left = max(params.sims, 1)

        def score(plan: dict[str, Any]) -> float | None:
            nonlocal sims_left
            vp = game.validate(side, plan)
            if not vp.ok or vp.cost > budget or sims_left < len(opponents):
                return None
            total = 0.0
            for opp in opponents:
                result = game.simulate(vp, opp) if side == "A" else game.simulate(opp, vp)
                sims_left -= 1
                won = result.winner == side
                # A win always beats a loss; the margin only breaks ties between equal records.
                total += (1.0 if won else 0.0) + 0.5 * game.margin(result, side)
            return total / len(opponents)

        seeds: list[dict[str, Any]] = [game.greedy_plan(side)]
        if previous is not None and previous.ok and previous.cost <= budget:
            seeds.append(previous.plan)
        best_plan: dict[str, Any] | None = None
        best_score = -1.0
        for cand in seeds:
            s = score(cand)
            if s is not None and s > best_score:
                best_plan, best_score = cand, s
        while sims_left >= len(opponents) and best_score < 1.25:
            if best_plan is not None and rng.random() < 0.5:
                cand = game.mutate_plan(side, best_plan, rng)
            else:
                cand = game.random_plan(side, rng)
            s = score(cand)
            if s is None:
                # An invalid candidate would loop forever without spending a simulation.
                sims_left -= 1
                continue
            if s > best_score:
                best_plan, best_score = cand, s
        return best_plan if best_plan is not None else game.greedy_plan(side)


BOTS: Registry[type[Bot]] = Registry("bot")
for _cls in (RandomBot, GreedyBot, SearchBot):
    BOTS.register(_cls.name, _cls)


def make_bot(spec: str) -> Bot:
    """Build a bot from ``name[@k=v,...]``, e.g. ``search@sims=64``.

    Raises:
        UnknownNameError: Unknown bot name (lists the known ones).
        ParameterError: Unknown or ill-typed parameter.
    """
    variant = parse_variant(spec)
    return BOTS.get(variant.base)(variant.params)
