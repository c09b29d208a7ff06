"""Ruleset v2: conformance, and the rules text, catalogue and schema agree with the v2 engine."""

import re

import pytest
from test_td_rules import NUMBER, _numbers

from games import get_game
from games.conformance import check_game
from games.tower_defense.v2 import TowerDefenseV2
from games.tower_defense.v2.catalogue import HUMANS

GAME = TowerDefenseV2()


def test_conformance():
    check_game(TowerDefenseV2())


@pytest.mark.parametrize(
    "params", [None, {"human_budget": 1234, "lives": 4, "flying_cap": 3, "tick_cap": 777}]
)
@pytest.mark.parametrize("side", ["A", "B"])
def test_every_number_in_the_v2_rules_text_comes_from_the_v2_catalogue(side, params):
    game = TowerDefenseV2(params)
    text = game.rules_text(side)
    allowed = _numbers(game.catalogue(side))
    missing = sorted({n for n in NUMBER.findall(text) if float(n) not in allowed}, key=float)
    assert not missing, f"numbers in the rules text but not in the catalogue: {missing}"


def test_v2_text_states_the_v2_rules():
    game = TowerDefenseV2({"lives": 4, "flying_cap": 3})
    text = game.rules_text("B")
    assert text.startswith("TOWER DEFENSE (ruleset v2).")
    assert "The Human side has 4 lives." in text
    assert "At most 3 FlyingDemon entries per demon plan." in text
    assert "(a number from 0 to 10000)" in text
    assert f"- LinearExplosion: cost {HUMANS['LinearExplosion'].cost}, HP 50" in text
    assert "its fuse starts the first time a walking demon stops at it" in text
    assert re.search(r"A battle undecided after 1000 ticks is a Human win", text)


def test_registry_and_schema():
    game = get_game("tower_defense", None, ruleset="v2")
    assert isinstance(game, TowerDefenseV2) and game.ruleset == "v2"
    schema = game.plan_schema("B")["properties"]["demons"]["items"]["properties"]
    assert schema["spawn_time"]["maximum"] == 10_000
    cat = game.catalogue("A")
    assert (
        cat["ruleset"] == "v2"
        and cat["limits"]["lives"] == 3
        and cat["limits"]["unit_caps"] == {"FlyingDemon": 2}
    )
