"""The game registry keyed by game and ruleset, and the ``GAME@ruleset=R`` names (games.refs)."""

from __future__ import annotations

import pytest

from games import DEFAULT_RULESET, GameRef, get_game, parse_game_ref, rulesets
from games.battle_card import BattleCard
from games.battle_card.v2 import BattleCardV2
from games.core.errors import ParameterError, UnknownNameError
from games.elemental_duel import ElementalDuel
from games.elemental_duel.v2 import ElementalDuelV2
from games.registry import (
    ORIGINAL_RULESET,
    default_ruleset,
    game_class,
    game_names,
    game_rulesets,
    resolve_ruleset,
)
from games.tower_defense import TowerDefense
from games.tower_defense.v2 import TowerDefenseV2

CLASSES = {
    ("tower_defense", "v1"): TowerDefense,
    ("tower_defense", "v2"): TowerDefenseV2,
    ("battle_card", "v1"): BattleCard,
    ("battle_card", "v2"): BattleCardV2,
    ("elemental_duel", "v1"): ElementalDuel,
    ("elemental_duel", "v2"): ElementalDuelV2,
}


def test_the_default_ruleset_is_v2_and_the_original_is_v1():
    assert DEFAULT_RULESET == "v2" and ORIGINAL_RULESET == "v1"
    for name in game_names():
        assert rulesets(name) == ["v1", "v2"]
        assert default_ruleset(name) == "v2"
        assert get_game(name).ruleset == "v2"


@pytest.mark.parametrize(("name", "ruleset"), sorted(CLASSES))
def test_get_game_with_a_ruleset(name, ruleset):
    game = get_game(name, ruleset=ruleset)
    assert type(game) is CLASSES[name, ruleset]
    assert (game.name, game.ruleset) == (name, ruleset)
    assert game_class(name, ruleset) is CLASSES[name, ruleset]
    # Positional form, with parameters of that ruleset.
    side = game.side("A")
    assert get_game(name, None, ruleset).side("A").budget == side.budget


def test_every_pair_is_listed():
    assert sorted(game_rulesets()) == sorted(CLASSES)


def test_unknown_ruleset_names_the_game_and_lists_its_rulesets():
    with pytest.raises(UnknownNameError) as exc:
        get_game("battle_card", ruleset="v9")
    assert str(exc.value) == "unknown ruleset 'v9' of game battle_card; known rulesets: v1, v2"
    with pytest.raises(UnknownNameError, match="known rulesets: v1, v2"):
        resolve_ruleset("tower_defense", "V2")
    with pytest.raises(UnknownNameError, match="unknown game 'chess'; known: battle_card"):
        get_game("chess", ruleset="v1")
    with pytest.raises(UnknownNameError, match="unknown game 'chess'"):
        rulesets("chess")


def test_parameters_are_checked_per_ruleset():
    assert get_game("battle_card", {"max_units": 3}, "v1").params_dict()["max_units"] == 3
    with pytest.raises(ParameterError, match="unknown parameter 'nope'"):
        get_game("battle_card", {"nope": 1}, ruleset="v2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("battle_card", GameRef("battle_card", "v2")),
        (" battle_card ", GameRef("battle_card", "v2")),
        ("battle_card@ruleset=v1", GameRef("battle_card", "v1")),
        ("battle_card@ruleset=v2", GameRef("battle_card", "v2")),
        ("battle_card@max_units=5,ruleset=v1", GameRef("battle_card", "v1", {"max_units": 5})),
        ("tower_defense@human_budget=2500", GameRef("tower_defense", "v2", {"human_budget": 2500})),
    ],
)
def test_parse_game_ref(text, expected):
    ref = parse_game_ref(text)
    assert ref == expected
    assert parse_game_ref(str(ref)) == ref  # the canonical text round-trips
    game = ref.make()
    assert (game.name, game.ruleset) == (ref.name, ref.ruleset)


def test_canonical_text_spells_out_the_ruleset_first():
    assert str(parse_game_ref("battle_card")) == "battle_card@ruleset=v2"
    assert str(parse_game_ref("battle_card@max_units=5,ruleset=v1")) == "battle_card@ruleset=v1,max_units=5"


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("battle_card@ruleset=v9", UnknownNameError, "unknown ruleset 'v9' of game battle_card; known"),
        ("battle_card@ruleset=", UnknownNameError, "unknown ruleset '' of game battle_card"),
        ("battle_card@ruleset=1", UnknownNameError, "unknown ruleset '1' of game battle_card"),
        ("chess@ruleset=v1", UnknownNameError, "unknown game 'chess'"),
        ("battle_card@ruleset=v1,ruleset=v2", ParameterError, "given twice"),
        ("battle_card@v2", ParameterError, "expected key=value"),
        ("battle_card@ruleset=v1,nope=3", ParameterError, "unknown parameter 'nope'"),
    ],
)
def test_bad_game_refs(text, error, message):
    with pytest.raises(error, match=message):
        parse_game_ref(text)
