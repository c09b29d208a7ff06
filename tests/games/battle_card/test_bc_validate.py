"""Strict v1 validation of battle card plans: every violation code, canonical form, cost, fuzzing."""

import json

import pytest
from bc_helpers import GAME
from hypothesis import given, settings
from hypothesis import strategies as st


def codes(vp):
    return [(v.code, v.index, v.field) for v in vp.violations]


@pytest.mark.parametrize("obj", [None, 3, "defenders", [], [{"name": "Sapling"}], True, 1.5])
def test_not_an_object(obj):
    vp = GAME.validate("A", obj)
    assert codes(vp) == [("not_an_object", None, None)]
    assert vp.plan == {"defenders": []} and vp.cost == 0


def test_missing_plan_key_names_the_key_and_spots_the_other_side():
    vp = GAME.validate("A", {"invaders": [{"name": "FireLizard"}]})
    assert codes(vp) == [("missing_plan_key", None, None)]
    assert "'defenders'" in vp.violations[0].message and "other side" in vp.violations[0].message
    assert codes(GAME.validate("B", {})) == [("missing_plan_key", None, None)]


@pytest.mark.parametrize("value", [None, "Sapling", {"name": "Sapling"}, 7])
def test_not_a_list(value):
    assert codes(GAME.validate("A", {"defenders": value})) == [("not_a_list", None, None)]


def test_entry_level_codes():
    vp = GAME.validate(
        "A",
        {
            "defenders": [
                "Sapling",  # 0 entry_not_object
                {"tier": "Gold"},  # 1 missing_field name
                {"name": 5},  # 2 bad_type name
                {"name": "FireLizard"},  # 3 unknown_unit: other side's unit
                {"name": "Soldier"},  # 4 unknown_unit: token
                {"name": "Sapling", "tier": "Silver"},  # 5 bad_tier
                {"name": "rockbeetle", "tier": 3},  # 6 unknown_unit and bad_tier
            ]
        },
    )
    assert codes(vp) == [
        ("entry_not_object", 0, None),
        ("missing_field", 1, "name"),
        ("bad_type", 2, "name"),
        ("unknown_unit", 3, "name"),
        ("unknown_unit", 4, "name"),
        ("bad_tier", 5, "tier"),
        ("unknown_unit", 6, "name"),
        ("bad_tier", 6, "tier"),
    ]
    assert vp.plan == {"defenders": []} and vp.cost == 0
    messages = [v.message for v in vp.violations]
    assert "other side" in messages[3]
    assert "cannot be bought" in messages[4]
    assert "case-sensitive" in messages[6] and "RockBeetle" in messages[6]


@pytest.mark.parametrize("tier", ["gold", "GOLD", "bronze", "Silver", "", 3, True, ["Gold"], {"t": 1}])
def test_bad_tiers(tier):
    vp = GAME.validate("B", {"invaders": [{"name": "Phoenix", "tier": tier}]})
    assert codes(vp) == [("bad_tier", 0, "tier")]


def test_tier_defaults_and_cost():
    vp = GAME.validate(
        "A",
        {
            "defenders": [
                {"name": "King"},
                {"name": "Sapling", "tier": None},
                {"tier": "Gold", "name": "Paladin", "element": "ignored"},
            ],
            "target_priority_for_defenders": ["FireLizard"],
            "comment": "extra top-level keys are ignored",
        },
    )
    assert vp.ok
    assert vp.plan == {
        "defenders": [
            {"name": "King", "tier": "Bronze"},
            {"name": "Sapling", "tier": "Bronze"},
            {"name": "Paladin", "tier": "Gold"},
        ]
    }
    assert list(vp.plan["defenders"][2]) == ["name", "tier"]
    assert vp.cost == 4 + 1 + 3 * 3


def test_too_many_entries_marks_each_extra_entry():
    listed = [{"name": "RockBeetle"}] * 9
    vp = GAME.validate("A", {"defenders": listed})
    assert codes(vp) == [("too_many_entries", 7, None), ("too_many_entries", 8, None)]
    assert len(vp.plan["defenders"]) == 7 and vp.cost == 7


def test_max_units_parameter():
    from games.battle_card import BattleCard

    game = BattleCard({"max_units": 3})
    vp = game.validate("B", {"invaders": [{"name": "FireLizard"}] * 4})
    assert codes(vp) == [("too_many_entries", 3, None)]


def test_over_budget_is_not_a_violation():
    vp = GAME.validate("B", {"invaders": [{"name": "Phoenix", "tier": "Gold"}] * 3})
    assert vp.ok and vp.cost == 36


def test_round_trip_of_canonical_plans():
    vp = GAME.validate(
        "A", {"defenders": [{"name": "Sapling"}, {"name": "x"}, {"name": "King", "tier": "Gold"}]}
    )
    again = GAME.validate("A", json.loads(json.dumps(vp.plan)))
    assert again.ok and again.plan == vp.plan and again.cost == vp.cost == 13


# ----------------------------------------------------------------------------- fuzzing
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)
NAMES = st.sampled_from(["Sapling", "King", "FireLizard", "Phoenix", "rockbeetle", "Soldier", "", "PALADIN"])
ENTRY = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"name": NAMES | JSON},
        optional={"tier": st.sampled_from(["Bronze", "Gold", "gold", None]) | JSON, "x": JSON},
    ),
)


def _check(side, obj):
    vp = GAME.validate(side, obj)
    key = GAME.side(side).plan_key
    assert set(vp.plan) == {key}
    assert vp.cost >= 0
    json.dumps(vp.plan)
    for v in vp.violations:
        json.dumps(v.to_dict())
    again = GAME.validate(side, json.loads(json.dumps(vp.plan)))
    assert again.ok and again.plan == vp.plan and again.cost == vp.cost
    return vp


@settings(max_examples=300, deadline=None)
@given(side=st.sampled_from(["A", "B"]), obj=JSON)
def test_fuzz_arbitrary_json(side, obj):
    _check(side, obj)


@settings(max_examples=300, deadline=None)
@given(side=st.sampled_from(["A", "B"]), items=st.lists(ENTRY, max_size=10), extra=JSON)
def test_fuzz_mutated_plans_validate_and_simulate(side, items, extra):
    key = GAME.side(side).plan_key
    vp = _check(side, {key: items, "extra": extra})
    other = "B" if side == "A" else "A"
    opp = GAME.validate(other, GAME.greedy_plan(other))
    result = GAME.simulate(vp, opp) if side == "A" else GAME.simulate(opp, vp)
    assert result.winner in ("A", "B")
