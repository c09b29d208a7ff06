"""Tiny one-move matrix games whose equilibria are known by hand, for testing the analysis tools."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, ClassVar

from games.core.game import Game
from games.core.types import BattleResult, Side, SideKey, ValidatedPlan, Violation


@dataclass(frozen=True)
class ToyParams:
    budget: int = 1


class MatrixGame(Game[ToyParams]):
    """Each side plays one move; ``PAYOFF[move_a][move_b]`` is A's payoff (+1, 0, −1)."""

    name: ClassVar[str] = "toy"
    params_type: ClassVar[type[Any]] = ToyParams
    MOVES_A: ClassVar[tuple[str, ...]] = ()
    MOVES_B: ClassVar[tuple[str, ...]] = ()
    PAYOFF: ClassVar[dict[str, dict[str, int]]] = {}

    @property
    def sides(self) -> tuple[Side, Side]:
        return Side("A", "row", "Row", "rows", 1), Side("B", "col", "Col", "cols", 1)

    def _moves(self, side: SideKey) -> tuple[str, ...]:
        return self.MOVES_A if side == "A" else self.MOVES_B

    def catalogue(self, side: SideKey) -> dict[str, Any]:
        return {"moves": list(self._moves(side))}

    def rules_text(self, side: SideKey) -> str:
        return f"Pick one of {', '.join(self._moves(side))}."

    def example_plan(self, side: SideKey) -> dict[str, Any]:
        return {self.side(side).plan_key: [{"move": self._moves(side)[0]}]}

    def plan_schema(self, side: SideKey) -> dict[str, Any]:
        return {"type": "object"}

    def validate(self, side: SideKey, obj: Any) -> ValidatedPlan:
        key = self.side(side).plan_key
        entries = obj.get(key) if isinstance(obj, dict) else None
        if isinstance(entries, list) and len(entries) == 1 and isinstance(entries[0], dict):
            move = entries[0].get("move")
            if move in self._moves(side):
                return ValidatedPlan(side, {key: [{"move": move}]}, 1)
        return ValidatedPlan(side, {key: []}, 0, (Violation("bad_move", "pick exactly one known move"),))

    def simulate(self, plan_a: ValidatedPlan, plan_b: ValidatedPlan) -> BattleResult:
        a = plan_a.plan["rows"][0]["move"] if plan_a.plan["rows"] else None
        b = plan_b.plan["cols"][0]["move"] if plan_b.plan["cols"] else None
        if a is None or b is None:
            winner: SideKey | None = None if a is None and b is None else "B" if a is None else "A"
        else:
            p = self.PAYOFF[a][b]
            winner = "A" if p > 0 else "B" if p < 0 else None
        return BattleResult(winner, {})

    def random_plan(self, side: SideKey, rng: random.Random) -> dict[str, Any]:
        return {self.side(side).plan_key: [{"move": rng.choice(self._moves(side))}]}

    def greedy_plan(self, side: SideKey) -> dict[str, Any]:
        return self.example_plan(side)

    def mutate_plan(self, side: SideKey, plan: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        return self.random_plan(side, rng)


RPS = {
    "rock": {"rock": 0, "paper": -1, "scissors": 1},
    "paper": {"rock": 1, "paper": 0, "scissors": -1},
    "scissors": {"rock": -1, "paper": 1, "scissors": 0},
}


class RockPaperScissors(MatrixGame):
    """Value 0; the unique equilibrium plays each move with weight 1/3."""

    MOVES_A = MOVES_B = ("rock", "paper", "scissors")
    PAYOFF = RPS


class DominantAce(MatrixGame):
    """Rock-paper-scissors plus an ``ace`` for A that beats every B move: value +1, ace unbeaten."""

    MOVES_A = ("rock", "paper", "scissors", "ace")
    MOVES_B = ("rock", "paper", "scissors")
    PAYOFF: ClassVar[dict[str, dict[str, int]]] = {**RPS, "ace": {"rock": 1, "paper": 1, "scissors": 1}}


NUMBERS = tuple(str(i) for i in range(20))


class HigherWins(MatrixGame):
    """Both sides name a number 0–19; the higher one wins, equal numbers have no winner."""

    MOVES_A = MOVES_B = NUMBERS
    PAYOFF: ClassVar[dict[str, dict[str, int]]] = {
        a: {b: (int(a) > int(b)) - (int(a) < int(b)) for b in NUMBERS} for a in NUMBERS
    }
