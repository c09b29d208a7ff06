"""Who wins a round: the budget adjudication of spec §1.5, plus forfeits."""

from __future__ import annotations

from collections.abc import Collection
from fractions import Fraction

from games.core.types import SideKey


def _overspend_ratio(cost: int, budget: int) -> Fraction | float:
    over = max(cost - budget, 0)
    if over == 0:
        return Fraction(0)
    # A zero budget makes any overspend infinitely bad (parameters allow budget 0).
    return Fraction(over, budget) if budget > 0 else float("inf")


def adjudicate(
    raw_winner: SideKey | None,
    cost_a: int,
    cost_b: int,
    budget_a: int,
    budget_b: int,
    forfeits: Collection[SideKey] = (),
) -> SideKey | None:
    """The adjudicated winner of a round.

    A forfeiting side loses (both forfeiting: no winner). Otherwise spec §1.5: a side within budget beats
    one over it; both within budget: the simulator's raw winner; both over: the smaller overspend relative
    to the budget wins, equal ratios: no winner. Ratios are compared exactly.
    """
    if "A" in forfeits and "B" in forfeits:
        return None
    if "A" in forfeits:
        return "B"
    if "B" in forfeits:
        return "A"
    if cost_a <= budget_a and cost_b <= budget_b:  # the usual case: both within budget
        return raw_winner
    ra, rb = _overspend_ratio(cost_a, budget_a), _overspend_ratio(cost_b, budget_b)
    if ra == 0 and rb == 0:
        return raw_winner
    if ra < rb:
        return "A"
    if rb < ra:
        return "B"
    return None
