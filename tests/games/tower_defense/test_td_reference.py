"""Spec §6.1 reference scenarios T01–T14 and P1–P4 (model A), with their step-by-step checkpoints.

T12 exercises the undocumented free ``Bomb``, which does not exist in ruleset v1: it is a validation test
in ``test_td_validate.py``; the LinearExplosion geometry it relied on is checked by T03 here.
"""

import pytest
from td_helpers import GAME, D, H, events, play, traced

P1_H = [
    H("MachineGunSoldier", 1, 0),
    H("RifleSoldier", 1, 1),
    H("RifleSoldier", 1, 2),
    H("RifleSoldier", 1, 3),
    H("HandgunSoldier", 1, 4),
    *[H("ShieldSoldier", 3, y) for y in range(5)],
    H("AntiAirSoldier", 0, 2),
    H("IceSoldier", 0, 1),
]
P1_D = [
    D("GreatDemon", 0),
    D("ShieldDemon", 1),
    D("FlyingDemon", 2, 1000),
    D("SpeedyDemon", 3, 2000),
    D("NormalDemon", 4),
    D("MachineDemon", 2, 3000),
    D("BouncingDemon", 4, 4000),
]
P2_H = [
    H("MachineGunSoldier", 2, 1),
    H("MachineGunSoldier", 2, 3),
    H("FlamethrowerSoldier", 1, 2),
    H("EnhancedShieldSoldier", 5, 1),
    H("EnhancedShieldSoldier", 5, 3),
    H("LinearExplosion", 0, 2, 5000),
    H("HandgunSoldier", 0, 0),
    H("HandgunSoldier", 0, 4),
    H("ShieldSoldier", 4, 0),
    H("ShieldSoldier", 4, 4),
]
P2_D = [
    D("DemonKing", 2),
    D("SummoningDemon", 1),
    D("FireDemon", 3, 500),
    D("FrostDemon", 0, 500),
    D("NormalDemon", 4, 1500),
]

# (id, humans, demons, winner, end tick, lost row, remain count, remain cost)
SCENARIOS = [
    ("T01", [], [D("NormalDemon", 1)], "B", 43, 1, 1, 100),
    ("T02", [H("HandgunSoldier", 5, 1)], [D("NormalDemon", 1)], "B", 64, 1, 1, 100),
    (
        "T03",
        [H("LinearExplosion", 0, 2)],
        [D("GreatDemon", 1), D("GreatDemon", 2), D("GreatDemon", 3)],
        "B", 43, 3, 1, 200,
    ),
    ("T04", [H("ShieldSoldier", 9, 0)], [D("NormalDemon", 0)], "B", 148, 0, 1, 100),
    (
        "T05",
        [H("ShieldSoldier", 5, 0), H("ShieldSoldier", 3, 0)],
        [D("BouncingDemon", 0)],
        "B", 141, 0, 1, 150,
    ),
    ("T06", [], [D("SummoningDemon", 4)], "B", 50, 3, 4, 300),
    (
        "T07",
        [H("AntiAirSoldier", 0, 2), H("AntiAirSoldier", 1, 2)],
        [D("FlyingDemon", 2)],
        "A", 16, None, 2, 200,
    ),
    (
        "T08",
        [H("RifleSoldier", 0, 3), H("RifleSoldier", 1, 3), H("MachineGunSoldier", 2, 3)],
        [D("MachineDemon", 3)],
        "A", 19, None, 3, 800,
    ),
    (
        "T09",
        [H("EnhancedShieldSoldier", 6, 1), H("MachineGunSoldier", 0, 1)],
        [D("ShieldBreakerDemon", 1), D("BouncingDemon", 1, 500)],
        "A", 25, None, 2, 500,
    ),
    (
        "T10",
        [H("IceSoldier", 0, 0), H("FlamethrowerSoldier", 1, 0), H("RifleSoldier", 2, 0)],
        [D("FireDemon", 0), D("FrostDemon", 0, 1000), D("SpeedyDemon", 0, 3000)],
        "A", 27, None, 3, 600,
    ),
    (
        "T11",
        [H("MachineGunSoldier", 1, 2), H("MagneticSoldier", 2, 2), H("HandgunSoldier", 0, 2)],
        [D("ShieldDemon", 2), D("DemonKing", 2, 2000)],
        "B", 70, 2, 1, 400,
    ),
    (
        "T13",
        [H("HandgunSoldier", 1, 0), H("HandgunSoldier", 1, 1)],
        [D("NormalDemon", 1), D("NormalDemon", 2)],
        "B", 43, 2, 1, 100,
    ),
    ("T14", [H("RifleSoldier", 0, 0)], [], "A", 0, None, 1, 200),
    ("P1", P1_H, P1_D, "B", 69, 4, 2, 300),
    ("P2", P2_H, P2_D, "A", 33, None, 9, 1500),
    ("P3", P1_H, P2_D, "B", 78, 2, 1, 400),
    ("P4", P2_H, P1_D, "B", 46, 2, 4, 650),
]  # fmt: skip


@pytest.mark.parametrize(
    ("sid", "humans", "demons", "winner", "end", "row", "remain", "cost"),
    SCENARIOS,
    ids=[s[0] for s in SCENARIOS],
)
def test_reference_outcome(sid, humans, demons, winner, end, row, remain, cost):
    result = play(humans, demons)
    s = result.summary
    assert result.winner == winner
    assert s["result"] == ("Human win" if winner == "A" else "Demon win")
    assert (s["end_tick"], s["lost_row"], s["winner_remaining"], s["winner_remaining_cost"]) == (
        end, row, remain, cost,
    )  # fmt: skip
    assert len(s["survivors"]) == remain
    assert s["capped"] is False


def test_reference_plan_costs():
    """P1/P2 plan costs as stated in §6.1 (P2's demons are over budget: simulate never looks at budgets)."""
    assert GAME.validate("A", {"humans": P1_H}).cost == 1650
    assert GAME.validate("B", {"demons": P1_D}).cost == 1300
    assert GAME.validate("A", {"humans": P2_H}).cost == 1700
    assert GAME.validate("B", {"demons": P2_D}).cost == 1600


def test_t02_checkpoints():
    """Hits on ticks 6, 11, 16 only; stops at 500 after tick 20; soldier hit on 21, 28, 35; walks from 42."""
    out, trace, frames = traced([H("HandgunSoldier", 5, 1)], [D("NormalDemon", 1)])
    assert [e["tick"] for e in events(trace, "hit")] == [6, 11, 16]
    assert [e["hp"] for e in events(trace, "hit")] == [9, 8, 7]
    assert frames[19][0][0] == 520
    assert frames[20][0][0] == 500
    assert [e["tick"] for e in events(trace, "attack")] == [21, 28, 35]
    assert [e["tick"] for e in events(trace, "death", side="human")] == [35]
    # Stagger until tick 41 (wobble -5/+5, net 0), then walking again from tick 42.
    assert [frames[t][0][0] for t in range(35, 43)] == [500, 495, 500, 495, 500, 495, 500, 480]
    assert out.end_tick == 64 and frames[64][0][0] == 40


def test_t03_explosion_geometry():
    """LinearExplosion at row 2 explodes on tick 2 and hits rows 1 and 2 (the row above), not row 3."""
    out, trace, _ = traced(
        [H("LinearExplosion", 0, 2)], [D("GreatDemon", 1), D("GreatDemon", 2), D("GreatDemon", 3)]
    )
    (boom,) = events(trace, "explode")
    assert boom["tick"] == 2 and boom["victims"] == [0, 1]
    assert [(e["tick"], e["uid"]) for e in events(trace, "death", side="demon")] == [(2, 0), (2, 1)]
    assert [d.row for d in out.survivors] == [3]


def test_t04_hits_every_seven_ticks():
    _, trace, frames = traced([H("ShieldSoldier", 9, 0)], [D("NormalDemon", 0)])
    assert frames[4][0][0] == 820  # contact after tick 4 (the shield's left edge is 760)
    assert [e["tick"] for e in events(trace, "attack")] == list(range(5, 104, 7))
    assert [e["tick"] for e in events(trace, "death", side="human")] == [103]


def test_t05_bouncing_jump():
    _, trace, frames = traced([H("ShieldSoldier", 5, 0), H("ShieldSoldier", 3, 0)], [D("BouncingDemon", 0)])
    assert frames[20][0][0] == 500
    assert [(e["tick"], e["x_px"]) for e in events(trace, "jump")] == [(21, 340)]
    first = events(trace, "attack")[0]
    assert first["tick"] == 22 and first["target"] == 1  # the (3, 0) soldier


def test_t06_summons():
    _, trace, frames = traced([], [D("SummoningDemon", 4)])
    summons = events(trace, "summon")
    assert [e["tick"] for e in summons] == [15, 30, 45]
    assert {e["y"] for e in summons} == {3}
    assert summons[0]["x_px"] == 760 and frames[15][summons[0]["uid"]][0] == 740


def test_t08_machine_demon_activation():
    _, trace, frames = traced(
        [H("RifleSoldier", 0, 3), H("RifleSoldier", 1, 3), H("MachineGunSoldier", 2, 3)],
        [D("MachineDemon", 3)],
    )
    hit = events(trace, "hit")[0]["tick"]
    assert frames[hit - 2][0][0] - frames[hit - 1][0][0] == 20  # walking at 20 px per tick ...
    assert frames[hit - 1][0][0] - frames[hit][0][0] == 30  # ... and at 30 from the tick of its first hit


def test_t11_demon_king_has_40_hp():
    _, trace, _ = traced(
        [H("MachineGunSoldier", 1, 2), H("MagneticSoldier", 2, 2), H("HandgunSoldier", 0, 2)],
        [D("ShieldDemon", 2), D("DemonKing", 2, 2000)],
    )
    king = events(trace, "spawn", name="DemonKing")[0]
    assert king["tick"] == 6
    king_hits = events(trace, "hit", uid=king["uid"])
    assert king_hits and king_hits[0]["hp"] == 39


def test_p2_linear_explosion_timing():
    """LinearExplosion(0, 2, 5000) is placed on tick 15 and explodes on tick 17."""
    _, trace, _ = traced(P2_H, P2_D)
    assert [e["tick"] for e in events(trace, "spawn", name="LinearExplosion")] == [15]
    assert [e["tick"] for e in events(trace, "explode")] == [17]


def test_t13_example_plans():
    """The spec's example plans are T13."""
    result = GAME.simulate(
        GAME.validate("A", GAME.example_plan("A")), GAME.validate("B", GAME.example_plan("B"))
    )
    assert result.winner == "B" and result.summary["end_tick"] == 43 and result.summary["lost_row"] == 2
