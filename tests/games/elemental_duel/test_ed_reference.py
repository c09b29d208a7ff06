"""Reference scenarios of spec §6.3 (C01–C04) and the C01 step-by-step checkpoints."""

import pytest
from ed_helpers import C01_D, C01_I, C02_D, C02_I, C03_D, C03_I, C04_D_SNAKE, C04_D_TITLE, C04_I, play

from games.conformance import check_game
from games.elemental_duel import ElementalDuel
from games.elemental_duel.catalogue import SKILLS
from games.elemental_duel.engine import run_battle


@pytest.fixture(scope="module")
def game():
    return ElementalDuel()


def _raw_cost(plan, key):
    return sum(SKILLS[s].cost for e in plan[key] for s in e["skills"])


@pytest.mark.parametrize(
    ("plan_d", "plan_i", "winner", "result", "duels", "survivors_a", "survivors_b", "costs"),
    [
        (C01_D, C01_I, "B", "Invaders win", 4, [], [("Dark", 55.0), ("Water", 100.0)], (12, 16)),
        (C02_D, C02_I, "B", "Invaders win", 4, [], [("Fire", 92.0), ("Water", 100.0)], (24, 23)),
        (
            C04_D_SNAKE,
            C04_I,
            "B",
            "Invaders win",
            3,
            [],
            [("Dark", 100.0), ("Fire", 100.0), ("Water", 100.0)],
            (38, 39),
        ),
    ],
    ids=["C01", "C02", "C04-snake_case"],
)
def test_reference_scenarios(game, plan_d, plan_i, winner, result, duels, survivors_a, survivors_b, costs):
    vd, vi, res = play(game, plan_d, plan_i)
    assert res.winner == winner
    assert res.summary["result"] == result
    assert len(res.summary["duels"]) == duels
    assert [(s["element"], s["hp"]) for s in res.summary["survivors"]["A"]] == survivors_a
    assert [(s["element"], s["hp"]) for s in res.summary["survivors"]["B"]] == survivors_b
    assert (vd.cost, vi.cost) == costs
    assert res.summary["capped"] is False


def test_c03_engine_reproduces_the_spec(game):
    """C03 as written gives its Wood earth_shock (an Earth skill); the engine plays it as the spec says."""
    d = [(e["element"], e["skills"]) for e in C03_D["defenders"]]
    i = [(e["element"], e["skills"]) for e in C03_I["invaders"]]
    out = run_battle(d, i)
    assert out.winner == "A"
    assert len(out.duels) == 3
    assert [(el, round(hp, 4)) for _, el, hp in out.defenders] == [
        ("Light", 27),
        ("Earth", 100),
        ("Wood", 100),
    ]
    assert out.invaders == ()
    assert (_raw_cost(C03_D, "defenders"), _raw_cost(C03_I, "invaders")) == (31, 26)


def test_c03_in_v1_drops_the_foreign_skill_and_plays_the_same(game):
    vd = game.validate("A", C03_D)
    assert [(v.code, v.index, v.field) for v in vd.violations] == [("skill_wrong_element", 2, "skills[2]")]
    assert vd.plan["defenders"][2] == {"element": "Wood", "skills": ["poison_vine", "life_totem"]}
    assert vd.cost == 30
    vi = game.validate("B", C03_I)
    assert vi.ok and vi.cost == 26
    res = game.simulate(vd, vi)
    assert res.winner == "A" and res.summary["result"] == "Defenders win"
    assert len(res.summary["duels"]) == 3
    assert [(s["element"], s["hp"]) for s in res.summary["survivors"]["A"]] == [
        ("Light", 27.0),
        ("Earth", 100.0),
        ("Wood", 100.0),
    ]
    assert res.summary["survivors"]["B"] == []


def test_c04_title_case_names_are_unknown_skills(game):
    vd = game.validate("A", C04_D_TITLE)
    got = [(v.code, v.index, v.field) for v in vd.violations]
    assert got == [("unknown_skill", i, f"skills[{j}]") for i in range(3) for j in range(3)]
    assert 'exact key "life_totem"' in vd.violations[0].message
    assert vd.plan == {
        "defenders": [
            {"element": "Wood", "skills": []},
            {"element": "Earth", "skills": []},
            {"element": "Light", "skills": []},
        ]
    }
    assert vd.cost == 0
    vi = game.validate("B", C04_I)
    assert vi.ok and vi.cost == 39
    # The canonical (skill-less) defenders never act: three one-hit duels.
    res = game.simulate(vd, vi)
    assert res.winner == "B"
    assert [d["actions"] for d in res.summary["duels"]] == [1, 1, 1]


def test_c01_duel_summaries(game):
    _, _, res = play(game, C01_D, C01_I)
    duels = res.summary["duels"]
    assert [(d["invader"], d["defender"], d["winner"]) for d in duels] == [
        (0, 0, "A"),
        (1, 0, "B"),
        (1, 1, "B"),
        (1, 2, "B"),
    ]
    assert duels[0]["hp_after"] == {"A": 17.0, "B": -4.0}
    assert duels[0]["actions"] == 22  # Fire acts 11 times, Wood 11 times
    assert duels[1]["hp_after"] == {"A": -22.0, "B": 104.0}
    assert duels[2]["hp_after"] == {"A": -18.55, "B": 64.0}
    assert duels[3]["hp_after"] == {"A": -30.8, "B": 55.0}


def test_c01_checkpoint_trail(game):
    vd, vi, _ = play(game, C01_D, C01_I)
    log = game.battle_log(vd, vi)
    trail = [(a["duel"], a["actor"], a["skill"], a["hp"]["B"], a["hp"]["A"]) for a in log]
    # Duel 1 (Fire vs Wood), first six actions.
    assert trail[:6] == [
        (0, "B", "flame_splash", 100, 86),  # trunc(12 x 1.2) = 14
        (0, "A", "bud_healing", 100, 86),
        (0, "B", "residual_warmth", 100, 86),
        (0, "A", "parasitic_seed", 92, 86),  # trunc(10 x 0.8) = 8, seed counter 4
        (0, "B", "burst_flame_bomb", 88, 52),  # trunc(29 x 1.2) = 34, Fire pays 4
        (0, "A", "life_totem", 88, 82),
    ]
    duel1 = [t for t in trail if t[0] == 0]
    fire = [t for t in duel1 if t[1] == "B"]
    assert len(fire) == 11 and fire[-1][3] == 4
    assert duel1[-1] == (0, "A", "parasitic_seed", -4, 17)
    assert [t for t in trail if t[0] == 1] == [
        (1, "B", "shadow_claw", 104, 3),
        (1, "A", "life_totem", 104, 33),
        (1, "B", "soul_siphon", 104, -22),
    ]
    assert [t for t in trail if t[0] == 2] == [
        (2, "B", "night_ambush", 104, 75),
        (2, "A", "rock_armor", 104, 75),
        (2, "B", "shadow_claw", 100, 61),  # 104 + 4 - 8 (reflect)
        (2, "A", "earth_shock", 80, 61),
        (2, "B", "soul_siphon", 72, 6),
        (2, "A", "granite_barrier", 72, 6),
        (2, "B", "night_ambush", 64, -18.55),  # 25 - 0.45
    ]
    last = trail[-1]
    assert last[:3] == (3, "B", "night_ambush") and last[4] == -30.8  # 37 - 0.2 (Faith Emblem)
    assert trail[-2][2] == "faith_emblem"


def test_conformance(game):
    check_game(game, trials=150, seed=3)
