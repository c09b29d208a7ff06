"""Strict v1 validation: every violation code, canonical form, the T12 loophole, and fuzzing."""

import json
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from td_helpers import GAME, D, H

from games.tower_defense import TowerDefense


def codes(vp):
    return [(v.code, v.index, v.field) for v in vp.violations]


def test_t12_bomb_is_an_unknown_unit():
    """T12 (loophole scenario): the free Bomb does not exist in v1."""
    va = GAME.validate("A", {"humans": [H("Bomb", 6, 2, 6670)]})
    assert codes(va) == [("unknown_unit", 0, "name")]
    assert va.plan == {"humans": []} and va.cost == 0
    vb = GAME.validate("B", {"demons": [D("GreatDemon", 2), D("GreatDemon", 1), D("GreatDemon", 3)]})
    assert vb.ok and vb.cost == 600
    # Without the bomb the demons simply walk through; the first created (row 2) reaches the goal first.
    result = GAME.simulate(va, vb)
    assert result.winner == "B" and result.summary["lost_row"] == 2 and result.summary["end_tick"] == 43


@pytest.mark.parametrize("name", ["HealingDemon", "ShadowDemon", "normalDemon", "NORMALDEMON", "Imp"])
def test_unknown_demons(name):
    vp = GAME.validate("B", {"demons": [D(name, 0), D("NormalDemon", 1)]})
    assert codes(vp) == [("unknown_unit", 0, "name")]
    assert vp.plan == {"demons": [D("NormalDemon", 1)]} and vp.cost == 100


def test_unknown_unit_messages_help():
    vp = GAME.validate("A", {"humans": [H("handgunSoldier", 0, 0), H("NormalDemon", 1, 0), H("Tank", 2, 0)]})
    msgs = [v.message for v in vp.violations]
    assert "did you mean 'HandgunSoldier'" in msgs[0]
    assert "other side" in msgs[1]
    assert "HandgunSoldier" in msgs[2] and "MagneticSoldier" in msgs[2]


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (None, [("not_an_object", None, None)]),
        ([], [("not_an_object", None, None)]),
        ("plan", [("not_an_object", None, None)]),
        (3, [("not_an_object", None, None)]),
        ({}, [("missing_plan_key", None, None)]),
        ({"Humans": []}, [("missing_plan_key", None, None)]),
        ({"humans": {"name": "HandgunSoldier"}}, [("not_a_list", None, "humans")]),
        ({"humans": [1, "x", None, []]}, [("entry_not_object", i, None) for i in range(4)]),
        ({"humans": [{"x": 0, "y": 0}]}, [("missing_field", 0, "name")]),
        ({"humans": [{"name": "HandgunSoldier", "y": 0}]}, [("missing_field", 0, "x")]),
        ({"humans": [{"name": "HandgunSoldier", "x": 0}]}, [("missing_field", 0, "y")]),
        ({"humans": [H(7, 0, 0)]}, [("bad_type", 0, "name")]),
        ({"humans": [H("HandgunSoldier", "1", 0)]}, [("bad_type", 0, "x")]),
        ({"humans": [H("HandgunSoldier", 1.5, 0)]}, [("bad_type", 0, "x")]),
        ({"humans": [H("HandgunSoldier", True, 0)]}, [("bad_type", 0, "x")]),
        ({"humans": [H("HandgunSoldier", 0, None)]}, [("bad_type", 0, "y")]),
        ({"humans": [H("HandgunSoldier", 0, 0, "0")]}, [("bad_type", 0, "spawn_time")]),
        ({"humans": [H("HandgunSoldier", 0, 0, False)]}, [("bad_type", 0, "spawn_time")]),
        ({"humans": [H("HandgunSoldier", 11, 0)]}, [("out_of_board", 0, "x")]),
        ({"humans": [H("HandgunSoldier", -1, 0)]}, [("out_of_board", 0, "x")]),
        ({"humans": [H("HandgunSoldier", 0, 5)]}, [("out_of_board", 0, "y")]),
        ({"humans": [H("HandgunSoldier", 0, 0, -1)]}, [("out_of_range", 0, "spawn_time")]),
        ({"humans": [H("HandgunSoldier", 0, 0, math.inf)]}, [("out_of_range", 0, "spawn_time")]),
        ({"humans": [H("HandgunSoldier", 0, 0, math.nan)]}, [("out_of_range", 0, "spawn_time")]),
        ({"humans": [H("Bomb", 20, -3, -5)]}, [
            ("unknown_unit", 0, "name"), ("out_of_board", 0, "x"), ("out_of_board", 0, "y"),
            ("out_of_range", 0, "spawn_time"),
        ]),
    ],
)  # fmt: skip
def test_violation_codes_humans(obj, expected):
    vp = GAME.validate("A", obj)
    assert codes(vp) == expected
    assert vp.plan == {"humans": []} and vp.cost == 0
    assert all(v.message for v in vp.violations)


def test_other_sides_key_is_missing_plan_key():
    vp = GAME.validate("A", {"demons": [D("NormalDemon", 0)]})
    assert codes(vp) == [("missing_plan_key", None, None)]
    assert "'humans'" in vp.violations[0].message and "other side" in vp.violations[0].message


def test_demon_fields():
    vp = GAME.validate("B", {"demons": [{"name": "NormalDemon"}, D("NormalDemon", 5), D("NormalDemon", 1.0)]})
    assert codes(vp) == [("missing_field", 0, "y"), ("out_of_board", 1, "y")]
    assert vp.plan == {"demons": [D("NormalDemon", 1)]}


def test_cell_occupied_keeps_the_first():
    vp = GAME.validate(
        "A",
        {
            "humans": [
                H("ShieldSoldier", 3, 2),
                H("Bomb", 4, 4),
                H("RifleSoldier", 3, 2),
                H("RifleSoldier", 4, 4),
            ]
        },
    )
    assert codes(vp) == [("unknown_unit", 1, "name"), ("cell_occupied", 2, "x")]
    assert "entry 0" in vp.violations[1].message
    assert vp.plan == {"humans": [H("ShieldSoldier", 3, 2), H("RifleSoldier", 4, 4)]} and vp.cost == 250


def test_too_many_entries():
    game = TowerDefense({"max_entries": 3})
    vp = game.validate("B", {"demons": [D("NormalDemon", i % 5) for i in range(5)]})
    assert codes(vp) == [("too_many_entries", None, None)]
    assert len(vp.plan["demons"]) == 3 and vp.cost == 300


def test_normalisation_and_ignored_keys():
    vp = GAME.validate(
        "A",
        {
            "humans": [
                {"y": 1.0, "name": "RifleSoldier", "x": 2, "note": "front"},
                {"name": "IceSoldier", "x": 3.0, "y": 0, "spawn_time": 500.0},
                {"name": "IceSoldier", "x": 4, "y": 0, "spawn_time": 12.5},
            ],
            "comment": "extra keys are ignored",
        },
    )
    assert vp.ok
    assert vp.plan == {
        "humans": [H("RifleSoldier", 2, 1, 0), H("IceSoldier", 3, 0, 500), H("IceSoldier", 4, 0, 12.5)]
    }
    assert [list(e) for e in vp.plan["humans"]] == [["name", "x", "y", "spawn_time"]] * 3
    vd = GAME.validate("B", {"demons": [{"name": "DemonKing", "x": 99, "y": 0}]})
    assert vd.ok and vd.plan == {"demons": [D("DemonKing", 0)]} and vd.cost == 800


def test_over_budget_is_not_a_violation():
    vp = GAME.validate("B", {"demons": [D("DemonKing", y) for y in range(5)]})
    assert vp.ok and vp.cost == 4000


# --------------------------------------------------------------------------- fuzzing
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["HandgunSoldier", "NormalDemon", "name", "x", "y", "spawn_time", "humans", "demons"]),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)


def _roundtrips(side, vp):
    again = GAME.validate(side, json.loads(json.dumps(vp.plan)))
    assert again.ok and again.plan == vp.plan and again.cost == vp.cost


@settings(max_examples=300, deadline=None)
@given(obj=json_values, side=st.sampled_from(["A", "B"]))
def test_validate_never_raises_on_arbitrary_json(obj, side):
    vp = GAME.validate(side, obj)
    assert vp.side == side and isinstance(vp.plan, dict)
    _roundtrips(side, vp)
    key = "humans" if side == "A" else "demons"
    wrapped = GAME.validate(side, {key: obj if isinstance(obj, list) else [obj]})
    _roundtrips(side, wrapped)


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    side=st.sampled_from(["A", "B"]),
    field=st.sampled_from(["name", "x", "y", "spawn_time", "extra"]),
    value=json_values,
    drop=st.booleans(),
)
def test_validate_mutated_real_plans(seed, side, field, value, drop):
    key = "humans" if side == "A" else "demons"
    plan = GAME.random_plan(side, random.Random(seed))
    entries = plan[key]
    i = seed % len(entries)
    if drop:
        entries[i].pop(field, None)
    else:
        entries[i][field] = value
    vp = GAME.validate(side, plan)
    # Only entry i is broken, or (moved onto a later entry's cell) that later entry becomes cell_occupied.
    assert all(v.index == i or (v.code == "cell_occupied" and v.index > i) for v in vp.violations)
    assert len({v.index for v in vp.violations}) <= 1
    assert len(vp.plan[key]) >= len(entries) - 1
    _roundtrips(side, vp)
