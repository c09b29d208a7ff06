"""The payoff of a pair of plans, and a payoff matrix over two growing plan populations.

The payoff is side A's: +1 when A wins, −1 when B wins, 0 when the battle has no winner. Budgets are not
adjudicated here: every plan an analysis builds is valid and within its side's budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from games.core.errors import ParameterError
from games.core.game import Game
from games.core.types import SideKey, ValidatedPlan


def payoff(game: Game[Any], plan_a: ValidatedPlan, plan_b: ValidatedPlan) -> int:
    """Side A's payoff of one battle: +1 A wins, −1 B wins, 0 no winner."""
    winner = game.simulate(plan_a, plan_b).winner
    return 1 if winner == "A" else -1 if winner == "B" else 0


def checked_plan(game: Game[Any], side: SideKey, plan: dict[str, Any]) -> ValidatedPlan:
    """Validate ``plan`` and insist that it is a valid, within-budget plan of ``side``.

    Raises:
        ParameterError: If the plan has violations or costs more than the side's budget.
    """
    vp = game.validate(side, plan)
    if not vp.ok:
        raise ParameterError(f"not a valid {side} plan: {vp.violations[0].message}")
    if vp.cost > game.side(side).budget:
        raise ParameterError(f"{side} plan costs {vp.cost}, over the budget of {game.side(side).budget}")
    return vp


class PayoffMatrix:
    """Side A's payoffs for every pair of two plan populations, grown one plan at a time.

    Plans are kept once each (by canonical JSON) in the order they were first added, so a population's
    indices are stable and deterministic. Adding a plan simulates it against the whole other side.

    Args:
        game: The game whose simulator fills the matrix.
    """

    def __init__(self, game: Game[Any]) -> None:
        self.game = game
        self.plans: dict[SideKey, list[ValidatedPlan]] = {"A": [], "B": []}
        self._index: dict[SideKey, dict[str, int]] = {"A": {}, "B": {}}
        self._cells: npt.NDArray[np.int8] = np.zeros((16, 16), dtype=np.int8)
        self.sims = 0

    @property
    def shape(self) -> tuple[int, int]:
        """(number of A plans, number of B plans)."""
        return len(self.plans["A"]), len(self.plans["B"])

    @property
    def matrix(self) -> npt.NDArray[np.int8]:
        """The payoff matrix, rows A plans, columns B plans (a view: do not modify)."""
        m, n = self.shape
        return self._cells[:m, :n]

    def index_of(self, side: SideKey, plan: ValidatedPlan) -> int | None:
        """The index of ``plan`` in ``side``'s population, or None."""
        return self._index[side].get(plan.canonical_json())

    def add(self, side: SideKey, plan: ValidatedPlan) -> tuple[int, bool]:
        """Add ``plan`` to ``side``'s population unless it is there already.

        Returns:
            The plan's index and whether it was new.
        """
        key = plan.canonical_json()
        known = self._index[side].get(key)
        if known is not None:
            return known, False
        if plan.side != side:
            raise ParameterError(f"a {plan.side} plan cannot join side {side}'s population")
        m, n = self.shape
        self._grow(m + (side == "A"), n + (side == "B"))
        game = self.game
        if side == "A":
            row = [payoff(game, plan, b) for b in self.plans["B"]]
            self._cells[m, :n] = row
            ran = n
        else:
            col = [payoff(game, a, plan) for a in self.plans["A"]]
            self._cells[:m, n] = col
            ran = m
        index = len(self.plans[side])
        self.plans[side].append(plan)
        self._index[side][key] = index
        self.sims += ran
        return index, True

    def add_all(self, side: SideKey, plans: Sequence[ValidatedPlan]) -> int:
        """Add several plans; returns how many were new."""
        return sum(self.add(side, p)[1] for p in plans)

    def _grow(self, rows: int, cols: int) -> None:
        cap_r, cap_c = self._cells.shape
        if rows <= cap_r and cols <= cap_c:
            return
        new = np.zeros(
            (
                max(cap_r, rows) * 2 if rows > cap_r else cap_r,
                max(cap_c, cols) * 2 if cols > cap_c else cap_c,
            ),
            dtype=np.int8,
        )
        new[:cap_r, :cap_c] = self._cells
        self._cells = new
