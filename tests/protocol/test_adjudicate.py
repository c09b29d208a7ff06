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
