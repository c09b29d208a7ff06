"""Rules text, catalogue, schema, example plans and parameters of the battle card game."""

import json
import re

import jsonschema
import pytest
from bc_helpers import GAME, numbers

from games.battle_card import BattleCard
from games.battle_card.catalogue import DEFENDERS, INVADERS
from games.registry import get_game


@pytest.mark.parametrize("params", [{}, {"defenders_budget": 15, "invaders_budget": 23, "max_units": 5}])
@pytest.mark.parametrize("side", ["A", "B"])
def test_every_number_in_the_rules_text_comes_from_the_catalogue(side, params):
    game = BattleCard(params)
    text = game.rules_text(side)
    known = numbers(game.catalogue(side), set())
    found = [int(n) for n in re.findall(r"\d+", text)]
    assert found, "the rules text should contain numbers"
    missing = sorted({n for n in found if n not in known})
    assert not missing, f"numbers in the rules text but not in the catalogue: {missing}"


@pytest.mark.parametrize("side", ["A", "B"])
def test_rules_text_covers_both_catalogues_and_the_side(side):
    text = GAME.rules_text(side)
    own = GAME.side(side)
    assert f"You play the {own.label}" in text
    assert f'"{own.plan_key}"' in text
    for name in [*DEFENDERS, *INVADERS, "SkeletonMinion", "Soldier"]:
        assert f"- {name}:" in text
    assert "Budget" in text or "budget" in text
    assert "leftmost" in text and "no Taunt" in text


def test_catalogue_numbers_match_the_spec_table():
    cat = GAME.catalogue("A")
    assert cat["budget"] == 20 and cat["max_units"] == 7
    assert cat["gold_cost_multiplier"] == 3 and cat["gold_stat_multiplier"] == 2
    king = cat["units"]["King"]
    assert (king["cost"], king["attack"], king["health"], king["gold_attack"], king["gold_health"]) == (
        4,
        3,
        12,
        6,
        24,
    )
    assert king["effects"] == {"summon_below": 5}
    assert cat["opponent_units"]["Phoenix"]["effects"] == {"rebirth_health": 5}
    assert cat["opponent_units"]["LavaGolem"]["effects"] == {"burn": 3, "burn_gold": 6}
    assert set(cat["units"]) == set(DEFENDERS) and set(cat["opponent_units"]) == set(INVADERS)
    assert GAME.catalogue("B")["units"].keys() == INVADERS.keys()
    json.dumps(cat)


def test_params_change_the_text_schema_and_sides():
    game = get_game("battle_card", {"defenders_budget": 17, "max_units": 5}, ruleset="v1")
    assert game.side("A").budget == 17 and game.side("B").budget == 20
    assert "Your budget is 17" in game.rules_text("A")
    assert "at most 5 entries" in game.rules_text("A")
    assert "holds 5 minions" in game.rules_text("A")  # ShadowOverlord fills up to max_units
    assert game.plan_schema("B")["properties"]["invaders"]["items"] and (
        game.plan_schema("B")["properties"]["invaders"]["maxItems"] == 5
    )
    assert game.params_dict() == {"defenders_budget": 17, "invaders_budget": 20, "max_units": 5}


def test_game_identity():
    assert GAME.name == "battle_card" and GAME.default_initial_attempts == 3
    a, b = GAME.sides
    assert (a.key, a.name, a.label, a.plan_key, a.budget) == ("A", "defender", "Defenders", "defenders", 20)
    assert (b.key, b.name, b.label, b.plan_key, b.budget) == ("B", "invader", "Invaders", "invaders", 20)


@pytest.mark.parametrize("side", ["A", "B"])
def test_schema_accepts_example_greedy_and_rejects_loopholes(side):
    schema = GAME.plan_schema(side)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    example = GAME.example_plan(side)
    assert validator.is_valid(example)
    assert GAME.validate(side, example).ok
    assert validator.is_valid(GAME.greedy_plan(side))
    key = GAME.side(side).plan_key
    name = next(iter(DEFENDERS if side == "A" else INVADERS))
    assert not validator.is_valid({key: [{"name": name, "tier": "gold"}]})
    assert not validator.is_valid({key: [{"name": name.lower()}]})
    assert not validator.is_valid({key: [{"name": name}] * 8})


def test_example_plans_are_the_spec_ones():
    assert GAME.example_plan("A") == {
        "defenders": [{"name": "RockBeetle", "tier": "Bronze"}],
        "target_priority_for_defenders": ["FireLizard"],
    }
    assert GAME.example_plan("B") == {
        "invaders": [{"name": "FireLizard", "tier": "Bronze"}],
        "target_priority_for_invaders": ["RockBeetle"],
    }
    # The canonical form drops the ignored priority key.
    assert GAME.validate("A", GAME.example_plan("A")).plan == {
        "defenders": [{"name": "RockBeetle", "tier": "Bronze"}]
    }
