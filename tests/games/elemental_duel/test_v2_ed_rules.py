"""Ruleset v2: conformance, rules text generated from the v2 catalogue, schema, and v1 left untouched."""

import random
import re

import jsonschema
import pytest
from test_ed_rules import _numbers

from games.conformance import check_game
from games.elemental_duel import ElementalDuel
from games.elemental_duel import catalogue as v1cat
from games.elemental_duel.v2 import ElementalDuelV2
from games.elemental_duel.v2 import catalogue as v2cat


def test_v2_conformance():
    check_game(ElementalDuelV2())
    check_game(ElementalDuelV2({"start_hp": 150, "duel_action_cap": 50, "invaders_budget": 17}))


@pytest.mark.parametrize("side", ["A", "B"])
@pytest.mark.parametrize("params", [{}, {"invaders_budget": 17, "defenders_budget": 23, "start_hp": 150}])
def test_every_number_in_the_v2_rules_text_comes_from_the_v2_catalogue(side, params):
    game = ElementalDuelV2(params)
    text = game.rules_text(side)
    allowed = _numbers(game.catalogue(side))
    found = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text.replace("ruleset v2", ""))]
    assert found
    assert not sorted({x for x in found if x not in allowed})


@pytest.mark.parametrize("side", ["A", "B"])
def test_v2_rules_text_states_the_v2_rules(side):
    game = ElementalDuelV2()
    text = game.rules_text(side)
    assert text.startswith("ELEMENTAL DUEL (ruleset v2).")
    for key in v2cat.SKILLS:
        assert key in text
    for phrase in (
        "defender acts first",
        "3 skill slots",
        "A rest does nothing at all",
        "never raise HP above it",
        "after 200 turns",
        "Fire -> Wood 1.5, Earth 0.5",
        "Angelic Sanctuary 20",
        "whole tenths",
    ):
        assert phrase in text, phrase
    assert "invader acts first" not in text and "999999" not in text
    cat = game.catalogue(side)
    assert cat["ruleset"] == "v2" and cat["constants"]["skill_slots"] == 3


def test_v2_catalogue_changes_only_what_it_says():
    changed = {k for k in v2cat.SKILLS if v2cat.SKILLS[k] != v1cat.SKILLS[k]}
    assert changed <= set(v2cat.CHANGED)
    assert (
        v2cat.SKILLS["angelic_sanctuary"].numbers["reduction"] == v2cat.REDUCTIONS["Angelic Sanctuary"] == 20
    )
    assert v2cat.SKILLS["hell_curtain"].numbers["reflect_power"] == 10
    assert {k: s.cost for k, s in v2cat.SKILLS.items()} == {k: s.cost for k, s in v1cat.SKILLS.items()}
    # v1 is untouched
    assert v1cat.REDUCTIONS["Angelic Sanctuary"] == 40 and v1cat.MULTIPLIERS["Fire"]["Wood"] == 1.2
    assert ElementalDuel().rules_text("B").startswith("ELEMENTAL DUEL. ")


@pytest.mark.parametrize("side", ["A", "B"])
def test_v2_plans_of_the_bots_fit_the_schema(side):
    game = ElementalDuelV2()
    schema = game.plan_schema(side)
    rng = random.Random(3)
    plans = [game.example_plan(side), game.greedy_plan(side)] + [
        game.random_plan(side, rng) for _ in range(30)
    ]
    plans.append(game.mutate_plan(side, plans[-1], rng))
    for plan in plans:
        jsonschema.validate(plan, schema)
        vp = game.validate(side, plan)
        assert vp.ok and vp.cost <= game.side(side).budget


def test_v2_greedy_plans_use_the_whole_budget():
    game = ElementalDuelV2()
    assert game.validate("A", game.greedy_plan("A")).cost == 20
    assert game.validate("B", game.greedy_plan("B")).cost == 20


def test_v2_params_type():
    game = ElementalDuelV2({"duel_action_cap": 50})
    assert type(game.params).__name__ == "DuelParamsV2" and game.params.duel_action_cap == 50
    assert ElementalDuelV2.ruleset == "v2" and ElementalDuel.ruleset == "v1"
