"""Bot support of the battle card game: random, greedy and mutated plans, margin, search vs random."""

import random

import jsonschema
import pytest
from bc_helpers import GAME

from games.battle_card import BattleCard
from games.bots import make_bot


@pytest.mark.parametrize("side", ["A", "B"])
def test_random_plans_are_valid_varied_and_within_budget(side):
    rng = random.Random(11)
    validator = jsonschema.Draft202012Validator(GAME.plan_schema(side))
    sizes, tiers = set(), set()
    for _ in range(300):
        plan = GAME.random_plan(side, rng)
        vp = GAME.validate(side, plan)
        assert vp.ok and vp.cost <= GAME.side(side).budget
        assert validator.is_valid(plan)
        entries = vp.plan[GAME.side(side).plan_key]
        assert 1 <= len(entries) <= 7
        sizes.add(len(entries))
        tiers.update(e["tier"] for e in entries)
    assert sizes == set(range(1, 8))
    assert tiers == {"Bronze", "Gold"}


def test_random_plan_depends_only_on_the_rng():
    assert GAME.random_plan("A", random.Random(5)) == GAME.random_plan("A", random.Random(5))


@pytest.mark.parametrize("params", [{}, {"defenders_budget": 6, "invaders_budget": 5}, {"max_units": 3}])
@pytest.mark.parametrize("side", ["A", "B"])
def test_greedy_plan_fits_the_limits(side, params):
    game = BattleCard(params)
    vp = game.validate(side, game.greedy_plan(side))
    assert vp.ok and 0 < vp.cost <= game.side(side).budget
    assert len(vp.plan[game.side(side).plan_key]) <= game.params.max_units


@pytest.mark.parametrize("side", ["A", "B"])
def test_greedy_plan_beats_most_random_plans(side):
    rng = random.Random(2)
    other = "B" if side == "A" else "A"
    mine = GAME.validate(side, GAME.greedy_plan(side))
    wins = 0
    for _ in range(200):
        opp = GAME.validate(other, GAME.random_plan(other, rng))
        result = GAME.simulate(mine, opp) if side == "A" else GAME.simulate(opp, mine)
        wins += result.winner == side
    assert wins >= 180


@pytest.mark.parametrize("side", ["A", "B"])
def test_mutations_stay_valid_within_budget_and_change_something(side):
    rng = random.Random(4)
    plan = GAME.random_plan(side, rng)
    changed = 0
    for _ in range(200):
        new = GAME.mutate_plan(side, plan, rng)
        vp = GAME.validate(side, new)
        assert vp.ok and vp.cost <= GAME.side(side).budget
        changed += new != GAME.validate(side, plan).plan
        plan = new
    assert changed >= 190


def test_mutation_falls_back_when_nothing_fits():
    game = BattleCard({"defenders_budget": 1, "max_units": 1})
    plan = {"defenders": [{"name": "RockBeetle", "tier": "Bronze"}]}
    new = game.mutate_plan("A", plan, random.Random(0))
    vp = game.validate("A", new)
    assert vp.ok and vp.cost <= 1


def test_margin_orders_outcomes():
    rng = random.Random(8)
    for _ in range(100):
        r = GAME.simulate(
            GAME.validate("A", GAME.random_plan("A", rng)), GAME.validate("B", GAME.random_plan("B", rng))
        )
        for side in ("A", "B"):
            m = GAME.margin(r, side)
            assert 0.0 <= m < 1.0
            assert (m >= 0.75) == (r.winner == side)


@pytest.mark.parametrize("side", ["A", "B"])
def test_search_bot_beats_random(side):
    search, rnd = make_bot("search@sims=32"), make_bot("random")
    other = "B" if side == "A" else "A"
    wins = 0
    for seed in range(100):
        rng = random.Random(seed)
        opp = GAME.validate(other, rnd.plan(GAME, other, rng))
        mine = GAME.validate(side, search.plan(GAME, side, rng, opponent=opp))
        result = GAME.simulate(mine, opp) if side == "A" else GAME.simulate(opp, mine)
        wins += result.winner == side
    assert wins >= 90
