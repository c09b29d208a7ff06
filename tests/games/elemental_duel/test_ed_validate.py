"""Strict v1 validation: every violation code, canonical plans, cost, and never raising."""

import copy
import json

import pytest
from ed_helpers import C01_D, C01_I
from hypothesis import given, settings
from hypothesis import strategies as st

from games.elemental_duel import ElementalDuel


@pytest.fixture(scope="module")
def game():
    return ElementalDuel()


def _codes(vp):
    return [(v.code, v.index, v.field) for v in vp.violations]


@pytest.mark.parametrize(
    ("obj", "code"),
    [
        (None, "not_an_object"),
        ([], "not_an_object"),
        ("plan", "not_an_object"),
        (3, "not_an_object"),
        ({}, "missing_plan_key"),
        ({"defenders": {}}, "not_a_list"),
        ({"defenders": "x"}, "not_a_list"),
    ],
)
def test_plan_level_violations(game, obj, code):
    vp = game.validate("A", obj)
    assert _codes(vp) == [(code, None, None)]
    assert vp.plan == {"defenders": []} and vp.cost == 0


def test_other_sides_key_is_named(game):
    vp = game.validate("A", C01_I)
    assert _codes(vp) == [("missing_plan_key", None, None)]
    assert '"defenders"' in vp.violations[0].message and '"invaders"' in vp.violations[0].message


def test_entry_violations(game):
    plan = {
        "defenders": [
            "Wood",  # 0 not an object
            {"skills": ["life_totem"]},  # 1 missing element
            {"element": 3, "skills": []},  # 2 element ill-typed
            {"element": "Fire", "skills": ["flame_splash"]},  # 3 invader element -> bad_element ...
        ]
    }
    vp = game.validate("A", plan)
    assert _codes(vp) == [
        ("entry_not_object", 0, None),
        ("missing_field", 1, "element"),
        ("bad_type", 2, "element"),
        ("too_many_entries", 3, None),
    ]
    assert vp.plan == {"defenders": []}


def test_bad_elements(game):
    plan = {
        "invaders": [
            {"element": "fire", "skills": ["flame_splash"]},
            {"element": "Wood", "skills": ["life_totem"]},
            {"element": "Plasma", "skills": []},
        ]
    }
    vp = game.validate("B", plan)
    assert _codes(vp) == [
        ("bad_element", 0, "element"),
        ("bad_element", 1, "element"),
        ("skill_wrong_element", 1, "skills[0]"),  # life_totem is a defender skill
        ("bad_element", 2, "element"),
    ]
    assert 'exactly "Fire"' in vp.violations[0].message
    assert "other side" in vp.violations[1].message
    assert vp.plan == {"invaders": []} and vp.cost == 0


def test_skill_violations_drop_the_skill_keep_the_character(game):
    plan = {
        "invaders": [
            {
                "element": "Fire",
                "skills": ["flame_splash", "Flame Splash", "shadow_claw", "life_totem", 7, "hell_curtain"],
            },
            {"element": "Dark", "name": "ignored", "skills": ["final_announcement", "final_announcement"]},
        ]
    }
    vp = game.validate("B", plan)
    assert _codes(vp) == [
        ("unknown_skill", 0, "skills[1]"),
        ("skill_wrong_element", 0, "skills[2]"),
        ("too_many_skills", 0, "skills[3]"),
        ("too_many_skills", 0, "skills[4]"),
        ("too_many_skills", 0, "skills[5]"),
    ]
    assert vp.plan == {
        "invaders": [
            {"element": "Fire", "skills": ["flame_splash"]},
            {"element": "Dark", "skills": ["final_announcement", "final_announcement"]},
        ]
    }
    assert vp.cost == 1 + 4 + 4  # a repeated skill costs twice


def test_skill_field_problems(game):
    plan = {
        "defenders": [
            {"element": "Wood"},
            {"element": "Earth", "skills": "earth_pulse"},
            {"element": "Light", "skills": [None, "divine_sword"]},
        ]
    }
    vp = game.validate("A", plan)
    assert _codes(vp) == [
        ("missing_field", 0, "skills"),
        ("bad_type", 1, "skills"),
        ("bad_type", 2, "skills[0]"),
    ]
    assert vp.plan == {"defenders": [{"element": "Light", "skills": ["divine_sword"]}]}
    assert vp.cost == 5


def test_empty_lists_are_valid(game):
    vp = game.validate("A", {"defenders": [{"element": "Wood", "skills": []}]})
    assert vp.ok and vp.cost == 0 and vp.plan == {"defenders": [{"element": "Wood", "skills": []}]}
    assert game.validate("B", {"invaders": []}).ok


def test_over_budget_is_not_a_violation(game):
    plan = {"invaders": [{"element": "Fire", "skills": ["hell_curtain"] * 3}] * 2}
    vp = game.validate("B", plan)
    assert vp.ok and vp.cost == 30


def test_example_plans_are_valid_and_cost_as_spec(game):
    assert game.validate("A", C01_D).cost == 12
    assert game.validate("B", C01_I).cost == 16
    assert game.validate("A", game.example_plan("A")).ok
    assert game.validate("B", game.example_plan("B")).ok


def test_max_limits_follow_params():
    g = ElementalDuel({"max_characters": 1, "max_skills": 1})
    vp = g.validate("A", C01_D)
    assert [v.code for v in vp.violations] == ["too_many_skills"] * 2 + ["too_many_entries"] * 2
    assert vp.plan == {"defenders": [{"element": "Wood", "skills": ["bud_healing"]}]}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(
        ["Fire", "Wood", "Dark", "life_totem", "Life Totem", "flame_splash", "element", "skills"]
    ),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["defenders", "invaders", "element", "skills", "x"]) | st.text(max_size=5),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=120, deadline=None)
@given(obj=json_values, side=st.sampled_from(["A", "B"]))
def test_validate_never_raises_and_round_trips(obj, side):
    game = ElementalDuel()
    for candidate in (obj, {game.side(side).plan_key: obj}, {game.side(side).plan_key: [obj]}):
        vp = game.validate(side, candidate)
        again = game.validate(side, json.loads(json.dumps(vp.plan)))
        assert again.ok and again.plan == vp.plan and again.cost == vp.cost


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_mutated_real_plans(data):
    game = ElementalDuel()
    side = data.draw(st.sampled_from(["A", "B"]))
    plan = copy.deepcopy(C01_D if side == "A" else C01_I)
    entries = plan[game.side(side).plan_key]
    for _ in range(data.draw(st.integers(0, 4))):
        i = data.draw(st.integers(0, len(entries) - 1))
        field = data.draw(st.sampled_from(["element", "skills", "drop", "extra", "skill"]))
        value = data.draw(json_values)
        if field == "drop":
            entries[i].pop(data.draw(st.sampled_from(["element", "skills"])), None)
        elif field == "extra":
            entries[i]["extra"] = value
        elif field == "skill" and isinstance(entries[i].get("skills"), list) and entries[i]["skills"]:
            entries[i]["skills"][0] = value
        else:
            entries[i][field] = value
    vp = game.validate(side, plan)
    again = game.validate(side, vp.plan)
    assert again.ok and again.plan == vp.plan and again.cost == vp.cost
    assert len(vp.plan[game.side(side).plan_key]) <= 3
