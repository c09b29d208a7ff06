"""Budget adjudication (spec §1.5) and forfeits, case by case."""

from __future__ import annotations

import pytest

from harness.protocol import adjudicate


@pytest.mark.parametrize(
    ("raw", "cost_a", "cost_b", "budget_a", "budget_b", "forfeits", "expected"),
    [
        ("A", 100, 100, 100, 100, (), "A"),  # both within: raw winner
        ("B", 0, 0, 100, 100, (), "B"),
        (None, 50, 50, 100, 100, (), None),  # raw no winner stays no winner
        ("A", 101, 100, 100, 100, (), "B"),  # A over only
        ("B", 100, 150, 100, 100, (), "A"),  # B over only
        ("A", 110, 130, 100, 100, (), "A"),  # both over: smaller relative overspend wins
        ("A", 2400, 1650, 2000, 1500, (), "B"),  # 400/2000 = 0.2 > 150/1500 = 0.1
        ("A", 2200, 1650, 2000, 1500, (), None),  # 200/2000 == 150/1500: equal ratios, no winner
        ("B", 2100, 1800, 2000, 1500, (), "A"),  # 0.05 < 0.2
        ("A", 100, 100, 100, 100, ("A",), "B"),  # forfeit beats everything
        ("B", 500, 100, 100, 100, ("B",), "A"),
        ("A", 100, 100, 100, 100, ("A", "B"), None),
        ("A", 1, 0, 0, 0, (), "B"),  # zero budget: any overspend is infinitely bad
        ("A", 1, 1, 0, 0, (), None),
    ],
)
def test_adjudication_table(raw, cost_a, cost_b, budget_a, budget_b, forfeits, expected) -> None:
    assert adjudicate(raw, cost_a, cost_b, budget_a, budget_b, forfeits) == expected


def test_adjudicate_equals_the_exact_ratio_rule_everywhere():
    import itertools
    from fractions import Fraction

    def ratio(cost: int, budget: int) -> Fraction | float:
        over = max(cost - budget, 0)
        if over == 0:
            return Fraction(0)
        return Fraction(over, budget) if budget > 0 else float("inf")

    def reference(raw, ca, cb, ba, bb):
        ra, rb = ratio(ca, ba), ratio(cb, bb)
        if ra == 0 and rb == 0:
            return raw
        return "A" if ra < rb else "B" if rb < ra else None

    values = range(0, 7)
    for raw, ca, cb, ba, bb in itertools.product(["A", "B", None], values, values, values, values):
        assert adjudicate(raw, ca, cb, ba, bb) == reference(raw, ca, cb, ba, bb), (raw, ca, cb, ba, bb)
