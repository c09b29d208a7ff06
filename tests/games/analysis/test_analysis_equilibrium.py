"""The zero-sum solver, the payoff matrix and the best-response search on games solved by hand."""

import random

import numpy as np
import pytest
from toy_games import DominantAce, HigherWins, RockPaperScissors

from games.analysis import PayoffMatrix, best_response, solve_zero_sum
from games.core.errors import ParameterError


def test_matching_pennies_value_zero_half_half():
    eq = solve_zero_sum([[1, -1], [-1, 1]])
    assert eq.value == pytest.approx(0, abs=1e-9)
    assert eq.x == pytest.approx([0.5, 0.5], abs=1e-9)
    assert eq.y == pytest.approx([0.5, 0.5], abs=1e-9)


def test_a_known_mixed_game():
    # Row payoffs [[3, -1], [-2, 1]]: x = (3/7, 4/7), y = (2/7, 5/7), value 1/7 (solved by hand:
    # 3p - 2(1-p) = -p + (1-p)  ->  p = 3/7).
    eq = solve_zero_sum([[3, -1], [-2, 1]])
    assert eq.value == pytest.approx(1 / 7, abs=1e-9)
    assert eq.x == pytest.approx([3 / 7, 4 / 7], abs=1e-9)
    assert eq.y == pytest.approx([2 / 7, 5 / 7], abs=1e-9)


def test_a_dominated_row_gets_no_weight_and_a_saddle_point_is_pure():
    eq = solve_zero_sum([[1, 1, 1], [-1, 0, 1], [-1, -1, 0]])
    assert eq.value == pytest.approx(1, abs=1e-9)
    assert eq.support(0) == [0]
    assert eq.x.sum() == pytest.approx(1)


def test_an_empty_matrix_is_refused():
    with pytest.raises(ParameterError):
        solve_zero_sum(np.zeros((0, 3)))


def test_payoff_matrix_keeps_each_plan_once_in_order_and_grows():
    game = RockPaperScissors()
    pm = PayoffMatrix(game)
    for move in ("rock", "paper", "rock", "scissors"):
        pm.add("A", game.validate("A", {"rows": [{"move": move}]}))
    for move in ("scissors", "rock"):
        pm.add("B", game.validate("B", {"cols": [{"move": move}]}))
    assert pm.shape == (3, 2)
    assert pm.matrix.tolist() == [[1, 0], [-1, 1], [0, -1]]
    assert pm.sims == 6  # the repeated rock cost nothing
    assert [p.plan["rows"][0]["move"] for p in pm.plans["A"]] == ["rock", "paper", "scissors"]


def test_payoff_matrix_grows_past_its_initial_capacity_keeping_every_cell():
    game = HigherWins()
    pm = PayoffMatrix(game)
    for i in range(20):  # interleaved, so both dimensions grow past the initial 16
        pm.add("A", game.validate("A", {"rows": [{"move": str(i)}]}))
        pm.add("B", game.validate("B", {"cols": [{"move": str(19 - i)}]}))
    expected = [[(a > b) - (a < b) for b in reversed(range(20))] for a in range(20)]
    assert pm.matrix.tolist() == expected
    assert pm.sims == 400
    eq = solve_zero_sum(pm.matrix)
    assert eq.value == pytest.approx(0) and eq.support(0) == [19] and eq.support(1) == [0]


def test_best_response_finds_the_only_winning_move():
    game = RockPaperScissors()
    rock = game.validate("B", {"cols": [{"move": "rock"}]})
    br = best_response(game, "A", [rock], sims=50, rng=random.Random("t"), stop_value=1.0)
    assert br.plan.plan == {"rows": [{"move": "paper"}]}
    assert br.value == 1.0


def test_best_response_against_a_mix_maximises_expected_payoff():
    game = RockPaperScissors()
    opp = [game.validate("B", {"cols": [{"move": m}]}) for m in ("rock", "paper")]
    br = best_response(game, "A", opp, weights=[0.8, 0.2], sims=100, rng=random.Random("t"))
    # paper: 0.8*1 + 0.2*0 = 0.8; scissors: -0.8 + 0.2 = -0.6; rock: 0 - 0.2 = -0.2
    assert br.plan.plan == {"rows": [{"move": "paper"}]}
    assert br.value == pytest.approx(0.8)


def test_best_response_as_side_b_and_its_budget_bounds_the_work():
    game = DominantAce()
    ace = game.validate("A", {"rows": [{"move": "ace"}]})
    br = best_response(game, "B", [ace], sims=30, rng=random.Random("t"), stop_value=1.0)
    assert br.value == -1.0  # nothing beats the ace
    assert br.sims <= 30 + 1


def test_best_response_rejects_bad_weights():
    game = RockPaperScissors()
    rock = game.validate("B", {"cols": [{"move": "rock"}]})
    with pytest.raises(ParameterError):
        best_response(game, "A", [rock], weights=[0.5, 0.5], sims=10, rng=random.Random(1))
    with pytest.raises(ParameterError):
        best_response(game, "A", [], sims=10, rng=random.Random(1))
