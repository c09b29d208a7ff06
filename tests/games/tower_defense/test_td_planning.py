"""Bot support: random, greedy and mutated plans are valid and within budget; margins stay in [0, 1)."""

import random

import pytest
from td_helpers import GAME

from games import make_bot
from games.tower_defense import TowerDefense


@pytest.mark.parametrize("side", ["A", "B"])
def test_random_plans_are_valid_varied_and_within_budget(side):
    rng = random.Random(0)
    key = GAME.side(side).plan_key
    sizes, spawns = set(), set()
    for _ in range(300):
        plan = GAME.random_plan(side, rng)
        vp = GAME.validate(side, plan)
        assert vp.ok and 0 < vp.cost <= GAME.side(side).budget
        assert vp.plan == plan
        sizes.add(len(plan[key]))
        spawns |= {e["spawn_time"] for e in plan[key]}
    assert len(sizes) >= 8 and max(sizes) <= 15
    assert 0 in spawns and max(spawns) <= 6000 and len(spawns) > 3


def test_random_plans_depend_only_on_the_rng():
    assert GAME.random_plan("A", random.Random(42)) == GAME.random_plan("A", random.Random(42))


@pytest.mark.parametrize("params", [None, {"human_budget": 300, "demon_budget": 250}, {"board_cols": 3}])
@pytest.mark.parametrize("side", ["A", "B"])
def test_greedy_plan_is_valid_within_budget(side, params):
    game = TowerDefense(params)
    vp = game.validate(side, game.greedy_plan(side))
    assert vp.ok and vp.cost <= game.side(side).budget
    assert vp.plan[game.side(side).plan_key]


def test_greedy_humans_hold_against_random_demons():
    wins = 0
    for seed in range(100):
        demons = GAME.validate("B", GAME.random_plan("B", random.Random(seed)))
        wins += GAME.simulate(GAME.validate("A", GAME.greedy_plan("A")), demons).winner == "A"
    assert wins >= 80


@pytest.mark.parametrize("side", ["A", "B"])
def test_mutations_stay_valid_and_within_budget(side):
    rng = random.Random(3)
    plan = GAME.greedy_plan(side)
    changed = 0
    for _ in range(300):
        new = GAME.mutate_plan(side, plan, rng)
        vp = GAME.validate(side, new)
        assert vp.ok and vp.cost <= GAME.side(side).budget
        changed += new != plan
        plan = new
    assert changed > 250
    empty = GAME.mutate_plan(side, GAME.empty_plan(side).plan, rng)
    assert GAME.validate(side, empty).ok


def test_margin_is_in_range_and_favours_the_winner():
    rng = random.Random(9)
    for _ in range(100):
        va = GAME.validate("A", GAME.random_plan("A", rng))
        vb = GAME.validate("B", GAME.random_plan("B", rng))
        result = GAME.simulate(va, vb)
        for side in ("A", "B"):
            assert 0.0 <= GAME.margin(result, side) < 1.0


def test_search_bot_finds_a_counter():
    """A quick version of the cross-game check: search beats a random opponent it can see."""
    search = make_bot("search@sims=32")
    wins = 0
    for trial in range(20):
        for side, opp_side in (("A", "B"), ("B", "A")):
            opp = GAME.validate(opp_side, GAME.random_plan(opp_side, random.Random(500 + trial)))
            mine = GAME.validate(side, search.plan(GAME, side, random.Random(trial), opponent=opp))
            va, vb = (mine, opp) if side == "A" else (opp, mine)
            wins += GAME.simulate(va, vb).winner == side
    assert wins >= 34
