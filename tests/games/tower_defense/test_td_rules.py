"""Rules text, catalogue, schema and parameters: what a model reads agrees with the engine."""

import json
import random
import re

import jsonschema
import pytest
from td_helpers import GAME, H

from games import get_game
from games.core.errors import ParameterError
from games.tower_defense import TowerDefense
from games.tower_defense.catalogue import DEMONS, HUMANS

NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _numbers(obj):
    """Every number in a catalogue object (keys such as "1000" included), recursively."""
    if isinstance(obj, bool):
        return set()
    if isinstance(obj, (int, float)):
        return {float(obj)}
    if isinstance(obj, dict):
        out = set()
        for k, v in obj.items():
            out |= {float(n) for n in NUMBER.findall(str(k))} | _numbers(v)
        return out
    if isinstance(obj, (list, tuple)):
        return set().union(*(_numbers(v) for v in obj)) if obj else set()
    return set()


@pytest.mark.parametrize(
    "params", [None, {"human_budget": 1234, "demon_budget": 987, "board_cols": 9, "tick_cap": 5000}]
)
@pytest.mark.parametrize("side", ["A", "B"])
def test_every_number_in_the_rules_text_comes_from_the_catalogue(side, params):
    game = get_game("tower_defense", params, ruleset="v1")
    text = game.rules_text(side)
    allowed = _numbers(game.catalogue(side))
    missing = sorted({n for n in NUMBER.findall(text) if float(n) not in allowed}, key=float)
    assert not missing, f"numbers in the rules text but not in the catalogue: {missing}"


def test_rules_text_covers_both_catalogues_and_the_side():
    for side, me, other in (("A", "Human", "Demon"), ("B", "Demon", "Human")):
        text = GAME.rules_text(side)
        assert f"You play the {me} side" in text and f"OPPONENT UNITS ({other})" in text
        for name in [*HUMANS, *DEMONS]:
            assert f"- {name}: cost " in text
        assert json.dumps(GAME.example_plan(side)) in text


def test_rules_text_states_engine_values_not_prompt_values():
    text = GAME.rules_text("A")
    assert "- DemonKing: cost 800, HP 40," in text
    assert "- FlyingDemon: cost 200, HP 5," in text
    assert "row above it (y - 1)" in text
    assert "MagneticSoldier: cost 100, HP 2. Does nothing at all" in text


def test_catalogue_is_json_and_carries_costs():
    for side in ("A", "B"):
        cat = GAME.catalogue(side)
        json.dumps(cat)
        units = HUMANS if side == "A" else DEMONS
        assert {n: u["cost"] for n, u in cat["units"].items()} == {n: s.cost for n, s in units.items()}
    assert GAME.catalogue("B")["units"]["DemonKing"]["summary_value"] == 400
    assert GAME.catalogue("A")["units"]["MachineGunSoldier"]["interval_ticks"] == 1


def test_params_override_changes_text_and_sides():
    game = get_game("tower_defense", {"human_budget": 1234, "board_rows": 3}, ruleset="v1")
    assert game.side("A").budget == 1234 and game.side("B").budget == 1500
    assert "Your budget is 1234" in game.rules_text("A")
    assert "3 rows (y = 0..2)" in game.rules_text("B")
    assert game.validate("A", {"humans": [H("HandgunSoldier", 0, 3)]}).violations[0].code == "out_of_board"
    assert game.plan_schema("A")["properties"]["humans"]["items"]["properties"]["y"]["maximum"] == 2
    with pytest.raises(ParameterError, match="unknown parameter"):
        get_game("tower_defense", {"budget": 5}, ruleset="v1")
    with pytest.raises(ParameterError, match="board_cols"):
        get_game("tower_defense", {"board_cols": 0}, ruleset="v1")


def test_game_facts():
    assert GAME.name == "tower_defense" and GAME.default_initial_attempts == 5
    a, b = GAME.sides
    assert (a.key, a.name, a.label, a.plan_key, a.budget) == ("A", "human", "Human", "humans", 2000)
    assert (b.key, b.name, b.label, b.plan_key, b.budget) == ("B", "demon", "Demon", "demons", 1500)


@pytest.mark.parametrize("side", ["A", "B"])
def test_schema_accepts_valid_plans_and_rejects_bad_ones(side):
    schema = GAME.plan_schema(side)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    key = GAME.side(side).plan_key
    assert validator.is_valid(GAME.example_plan(side))
    assert validator.is_valid(GAME.greedy_plan(side))
    rng = random.Random(1)
    for _ in range(50):
        assert validator.is_valid(GAME.random_plan(side, rng))
    entry = dict(GAME.example_plan(side)[key][0])
    assert not validator.is_valid({key: [{**entry, "name": "Bomb"}]})
    assert not validator.is_valid({key: [{**entry, "y": 5}]})
    assert not validator.is_valid({key: [{**entry, "spawn_time": -1}]})
    assert schema["properties"][key]["items"]["properties"]["spawn_time"]["default"] == 0


def test_example_plans_are_the_spec_examples():
    assert GAME.validate("A", GAME.example_plan("A")).plan == {
        "humans": [H("HandgunSoldier", 1, 0), H("HandgunSoldier", 1, 1)]
    }
    assert GAME.validate("B", GAME.example_plan("B")).cost == 200
    assert TowerDefense().example_plan("A") is not GAME.example_plan("A")  # callers may mutate their copy
