"""A toy game whose best responses are known by hand, for the answer-rate tests.

Both sides submit ``{"p": v}`` (the plan format of :mod:`metrics_builders`), cost v, budget 5. Moves 0–4
are a five-way rock-paper-scissors: a side wins iff (own − other) mod 5 is 1 (margin 0.4) or 2 (margin 0.8);
equal moves have no winner. Side B also has the wall, 5, which beats every A move (margin 0.9): an
unbeatable plan. ``v = 5`` is a violation for A.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, ClassVar

from games.core.game import Game
from games.core.types import BattleResult, Side, SideKey, ValidatedPlan, Violation

WALL = 5


@dataclass(frozen=True)
class ToyParams:
    budget: int = 5


class ToyDuel(Game[ToyParams]):
    """The toy game without a margin (the base class's constant 0)."""

    name: ClassVar[str] = "toy"
    params_type: ClassVar[type[Any]] = ToyParams
    final_extra_round: ClassVar[bool] = True

    @property
    def sides(self) -> tuple[Side, Side]:
        b = self.params.budget
        return Side("A", "row", "Row", "p", b), Side("B", "col", "Col", "p", b)

    def _moves(self, side: SideKey) -> range:
        return range(5) if side == "A" else range(6)

    def catalogue(self, side: SideKey) -> dict[str, Any]:
        return {"moves": list(self._moves(side))}

    def rules_text(self, side: SideKey) -> str:
        return "Pick a number."

    def example_plan(self, side: SideKey) -> dict[str, Any]:
        return {"p": 0}

    def plan_schema(self, side: SideKey) -> dict[str, Any]:
        return {"type": "object"}

    def validate(self, side: SideKey, obj: Any) -> ValidatedPlan:
        v = obj.get("p") if isinstance(obj, dict) else None
        if isinstance(v, int) and v in self._moves(side):
            return ValidatedPlan(side, {"p": v}, v)
        return ValidatedPlan(side, {"p": 0}, 0, (Violation("bad_move", "not a move"),))

    def simulate(self, plan_a: ValidatedPlan, plan_b: ValidatedPlan) -> BattleResult:
        a, b = plan_a.plan["p"], plan_b.plan["p"]
        if b == WALL:
            return BattleResult("B", {"d": 3})
        d = (a - b) % 5
        if d == 0:
            return BattleResult(None, {"d": 0})
        return BattleResult("A" if d in (1, 2) else "B", {"d": d if d in (1, 2) else 5 - d})

    def random_plan(self, side: SideKey, rng: random.Random) -> dict[str, Any]:
        return {"p": rng.choice(list(self._moves(side)))}

    def greedy_plan(self, side: SideKey) -> dict[str, Any]:
        return {"p": 0}

    def mutate_plan(self, side: SideKey, plan: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        return self.random_plan(side, rng)


class ToyDuelWithMargin(ToyDuel):
    """The toy game with a margin: 0.4 / 0.8 for a win by 1 / 2, 0.9 for the wall, 0 for a loss."""

    def margin(self, result: BattleResult, side: SideKey) -> float:
        if result.winner != side:
            return 0.0
        return {1: 0.4, 2: 0.8, 3: 0.9}[result.summary["d"]]
