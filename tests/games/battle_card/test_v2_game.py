"""Battle card ruleset v2: conformance, catalogue, rules text generated from the v2 catalogue, schema."""

import re

import jsonschema
import pytest
from bc_helpers import GAME as V1
from bc_helpers import numbers

from games.battle_card.catalogue import V1 as V1_CATALOGUE
from games.battle_card.v2 import BattleCardV2
from games.battle_card.v2.catalogue import TAUNT_UNITS, V2
from games.conformance import check_game

GAME = BattleCardV2()


def test_conformance():
    check_game(GAME)


def test_identity_and_params_are_v1s():
    assert (GAME.name, GAME.ruleset, V1.ruleset) == ("battle_card", "v2", "v1")
    assert GAME.params_dict() == V1.params_dict()
    assert [(s.key, s.name, s.label, s.plan_key, s.budget) for s in GAME.sides] == [
        (s.key, s.name, s.label, s.plan_key, s.budget) for s in V1.sides
    ]


@pytest.mark.parametrize("params", [{}, {"defenders_budget": 15, "invaders_budget": 23, "max_units": 5}])
@pytest.mark.parametrize("side", ["A", "B"])
def test_every_number_in_the_rules_text_comes_from_the_v2_catalogue(side, params):
    game = BattleCardV2(params)
    text = game.rules_text(side)
    known = numbers(game.catalogue(side), set())
    found = [int(n) for n in re.findall(r"\d+", text.replace("ruleset v2", ""))]
    assert found
    missing = sorted({n for n in found if n not in known})
    assert not missing, f"numbers in the rules text but not in the v2 catalogue: {missing}"


@pytest.mark.parametrize("side", ["A", "B"])
def test_rules_text_says_v2_and_describes_the_v2_rules(side):
    text = GAME.rules_text(side)
    assert text.startswith("BATTLE CARD (ruleset v2). ")
    assert "leftmost minion with Taunt" in text and "There is no Taunt" not in text
    assert "Splash: after its normal hit, the minions directly beside the target" in text
    for name in [*V2.defenders, *V2.invaders, *V2.tokens]:
        assert f"- {name}:" in text
    for name in TAUNT_UNITS:
        line = next(x for x in text.splitlines() if x.startswith(f"- {name}:"))
        assert "Taunt" in line and "No Taunt" not in line
    assert V1.rules_text(side).startswith("BATTLE CARD. You play")  # v1's text is untouched


def test_catalogue_carries_the_v2numbers():
    cat = GAME.catalogue("A")
    treant = cat["units"]["AncientTreant"]
    assert (treant["cost"], treant["gold_cost"]) == (5, 15)
    assert V1.catalogue("A")["units"]["AncientTreant"]["cost"] == 4
    assert GAME.validate("A", {"defenders": [{"name": "AncientTreant"}] * 4}).cost == 20
    taunts = {n for n, u in cat["units"].items() if u.get("taunt")}
    assert taunts == {"RockBeetle", "StoneWarrior", "MountainGiant"}
    assert {n for n, u in cat["opponent_units"].items() if u.get("taunt")} == {"LavaGolem"}
    assert not any(u.get("taunt") for u in V1.catalogue("A")["units"].values())
    assert V2.invaders["Phoenix"].behaviour == "PhoenixSplash"
    assert not V1_CATALOGUE.invaders["Phoenix"].behaviour
    # Every other cost, stat and ability number is v1's.
    for name, unit in V2.all_units.items():
        old = V1_CATALOGUE.all_units[name]
        if name != "AncientTreant":
            assert (unit.cost, unit.attack, unit.health) == (old.cost, old.attack, old.health)
        assert (unit.element, unit.effects, unit.divine_shield) == (
            old.element,
            old.effects,
            old.divine_shield,
        )


@pytest.mark.parametrize("side", ["A", "B"])
def test_schema_example_and_greedy_plans(side):
    schema = GAME.plan_schema(side)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for plan in (GAME.example_plan(side), GAME.greedy_plan(side)):
        assert validator.is_valid(plan)
        vp = GAME.validate(side, plan)
        assert vp.ok and vp.cost <= GAME.side(side).budget


def test_validation_names_the_v2_catalogue():
    vp = GAME.validate("A", {"defenders": [{"name": "Phoenix"}, {"name": "rockbeetle"}, {"name": "Soldier"}]})
    messages = [v.message for v in vp.violations]
    assert "belongs to the other side" in messages[0]
    assert "did you mean 'RockBeetle'" in messages[1]
    assert "tokens cannot be bought" in messages[2]
