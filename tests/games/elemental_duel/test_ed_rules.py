"""Rules text, catalogue, schema and params: the text is generated from the catalogue and cannot drift."""

import random
import re

import jsonschema
import pytest

from games.elemental_duel import ElementalDuel
from games.elemental_duel.catalogue import SKILLS


def _numbers(obj):
    if isinstance(obj, bool):
        return set()
    if isinstance(obj, (int, float)):
        return {float(obj)}
    if isinstance(obj, dict):
        return set().union(*(_numbers(v) for v in obj.values())) if obj else set()
    if isinstance(obj, (list, tuple)):
        return set().union(*(_numbers(v) for v in obj)) if obj else set()
    return set()


@pytest.mark.parametrize("side", ["A", "B"])
@pytest.mark.parametrize("params", [{}, {"invaders_budget": 17, "defenders_budget": 23, "start_hp": 150}])
def test_every_number_in_the_rules_text_comes_from_the_catalogue(side, params):
    game = ElementalDuel(params)
    text = game.rules_text(side)
    allowed = _numbers(game.catalogue(side))
    found = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]
    assert found, "no numbers found"
    missing = sorted({x for x in found if x not in allowed})
    assert not missing, f"numbers in the rules text but not in the catalogue: {missing}"


@pytest.mark.parametrize("side", ["A", "B"])
def test_rules_text_covers_both_catalogues_and_the_mechanics(side):
    game = ElementalDuel()
    text = game.rules_text(side)
    for key in SKILLS:
        assert key in text
    me = game.side(side)
    assert f"You play the {me.label}" in text and f'"{me.plan_key}"' in text
    for phrase in (
        "round-robin",
        "invader acts first",
        "1000 actions",
        "no winner",
        "Reflective Shield",
        "Parasitic Seed",
        "Faith Emblem",
        "never expire",
        "D(127)",
        "D(90)",
    ):
        assert phrase in text


def test_params_change_the_text():
    base = ElementalDuel().rules_text("B")
    other = ElementalDuel({"invaders_budget": 17, "max_characters": 2, "duel_action_cap": 500}).rules_text(
        "B"
    )
    assert "budget is 20" in base and "budget is 17" in other
    assert "At most 2 characters" in other and "after 500 actions" in other


@pytest.mark.parametrize("side", ["A", "B"])
def test_catalogue_holds_the_side_and_the_opponent(side):
    cat = ElementalDuel().catalogue(side)
    own = {s["key"] for items in cat["skills"].values() for s in items}
    opp = {s["key"] for items in cat["opponent_skills"].values() for s in items}
    assert len(own) == len(opp) == 18 and own | opp == set(SKILLS)
    assert cat["side"]["budget"] == 20
    assert cat["constants"]["duel_action_cap"] == 1000 and cat["constants"]["start_hp"] == 100
    costs = {
        s["key"]: s["cost"]
        for items in [*cat["skills"].values(), *cat["opponent_skills"].values()]
        for s in items
    }
    assert costs["final_announcement"] == 4 and costs["hell_curtain"] == 5 and costs["bud_healing"] == 1


@pytest.mark.parametrize("side", ["A", "B"])
def test_schema_accepts_valid_plans_and_rejects_bad_ones(side):
    game = ElementalDuel()
    schema = game.plan_schema(side)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(game.example_plan(side))
    assert validator.is_valid(game.greedy_plan(side))
    rng = random.Random(0)
    for _ in range(100):
        assert validator.is_valid(game.random_plan(side, rng))
    key = game.side(side).plan_key
    el = "Wood" if side == "A" else "Fire"
    assert not validator.is_valid({key: [{"element": el, "skills": ["Life Totem"]}]})
    assert not validator.is_valid({key: [{"element": el.lower(), "skills": []}]})
    assert not validator.is_valid({key: [{"element": el, "skills": []}] * 4})
    wrong = "earth_pulse" if side == "A" else "shadow_claw"
    assert not validator.is_valid({key: [{"element": el, "skills": [wrong]}]})


def test_example_plans_are_the_specs():
    game = ElementalDuel()
    assert game.example_plan("B")["invaders"][0] == {
        "element": "Fire",
        "skills": ["flame_splash", "residual_warmth", "burst_flame_bomb"],
    }
    assert game.example_plan("A")["defenders"][2] == {
        "element": "Light",
        "skills": ["holy_glimmer", "faith_emblem", "divine_link"],
    }


def test_sides_and_registry():
    from games.registry import get_game

    game = get_game("elemental_duel", ruleset="v1")
    assert type(game) is ElementalDuel and game.name == "elemental_duel"
    assert game.default_initial_attempts == 3
    a, b = game.sides
    assert (a.key, a.name, a.label, a.plan_key, a.budget) == ("A", "defender", "Defenders", "defenders", 20)
    assert (b.key, b.name, b.label, b.plan_key, b.budget) == ("B", "invader", "Invaders", "invaders", 20)
