"""Engine mechanics beyond the reference table: fast-forward equivalence, caps, damage matrix, ordering."""

import random

import pytest
from td_helpers import GAME, D, H, events, play, traced

from games.tower_defense import TowerDefense
from games.tower_defense.catalogue import spawn_tick
from games.tower_defense.engine import run_battle


def _canon(side, entries):
    key = "humans" if side == "A" else "demons"
    vp = GAME.validate(side, {key: entries})
    assert vp.ok, vp.violations
    return vp.plan[key]


def _fingerprint(humans, demons, fast_forward, params=None):
    trace = []
    out = run_battle(humans, demons, params, trace=trace, fast_forward=fast_forward)
    combat = sorted(
        (e["tick"], e["event"], e.get("uid"), e.get("hp"), e.get("target"))
        for e in trace
        if e["event"] in ("hit", "attack", "jump", "summon", "death")
    )
    summary = (out.winner, out.end_tick, out.lost_row, out.capped, [(u.uid, u.hp) for u in out.survivors])
    return summary, combat


@pytest.mark.parametrize(
    ("spawn_times", "label"),
    [
        ((0, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000), "usual"),
        ((0, 10_000, 20_000, 40_000, 60_000, 90_000), "long gaps"),
        ((0, 1, 333, 6670, 12_345.5, 30_000.25), "odd times"),
    ],
)
def test_fast_forward_is_exact(spawn_times, label):
    """Skipping idle ticks in closed form gives the same battle as the plain tick loop."""
    rng = random.Random(hash(label) % 1000)
    for _ in range(150):
        humans = GAME.random_plan("A", rng)["humans"]
        demons = GAME.random_plan("B", rng)["demons"]
        for e in humans + demons:
            e["spawn_time"] = rng.choice(spawn_times)
        h, d = _canon("A", humans), _canon("B", demons)
        assert _fingerprint(h, d, True) == _fingerprint(h, d, False)


def test_fast_forward_keeps_bullets_in_flight_and_fuses():
    """A demon arriving after an idle gap meets bullets fired during the gap and later fuses."""
    humans = _canon(
        "A",
        [
            H("MachineGunSoldier", 0, 0),
            H("HandgunSoldier", 9, 0, 2000),
            H("RifleSoldier", 10, 1),
            H("LinearExplosion", 5, 1, 29_000),
            H("LinearExplosion", 6, 1, 31_000),
        ],
    )
    for t in (30_000, 30_100, 30_200, 30_500, 31_000):
        demons = _canon("B", [D("NormalDemon", 0), D("GreatDemon", 0, t), D("SpeedyDemon", 1, t)])
        fast, slow = _fingerprint(humans, demons, True), _fingerprint(humans, demons, False)
        assert fast == slow
        assert any(ev[1] == "hit" and ev[0] >= spawn_tick(t) for ev in fast[1])


def test_tick_cap_is_a_human_win():
    """A pending demon beyond the cap: the battle ends at the cap as a Human win (fast-forwarded)."""
    result = play([H("RifleSoldier", 0, 0)], [D("NormalDemon", 0, 10**30)])
    s = result.summary
    assert result.winner == "A" and s["capped"] is True and s["end_tick"] == 99_999
    assert s["winner_remaining"] == 1
    result = play([], [D("NormalDemon", 0, 1e300)])
    assert result.winner == "A" and result.summary["capped"]


def test_tick_cap_with_and_without_fast_forward():
    game = TowerDefense({"tick_cap": 500})
    h = game.validate("A", {"humans": [H("RifleSoldier", 0, 0), H("LinearExplosion", 3, 3, 100_000)]}).plan
    d = game.validate("B", {"demons": [D("NormalDemon", 0, 200_000)]}).plan
    for ff in (True, False):
        out = run_battle(h["humans"], d["demons"], game.params, fast_forward=ff)
        assert (out.winner, out.end_tick, out.capped) == ("A", 499, True)
        assert [u.spec.name for u in out.survivors] == ["RifleSoldier"]  # the late explosive never appeared


def test_empty_plans():
    assert play([], []).summary == {
        "end_tick": 0,
        "result": "Human win",
        "lost_row": None,
        "winner_remaining": 0,
        "winner_remaining_cost": 0,
        "survivors": [],
        "capped": False,
        "humans_lost": 0,
        "demons_killed": 0,
    }


def test_summary_lists_survivors():
    s = play([H("AntiAirSoldier", 0, 2), H("AntiAirSoldier", 1, 2)], [D("FlyingDemon", 2)]).summary
    assert s["survivors"] == [
        {"name": "AntiAirSoldier", "x": 0, "y": 2, "hp": 2},
        {"name": "AntiAirSoldier", "x": 1, "y": 2, "hp": 2},
    ]
    assert s["demons_killed"] == 1 and s["humans_lost"] == 0
    s = play([], [D("ShieldDemon", 3)]).summary
    assert s["survivors"] == [{"name": "ShieldDemon", "y": 3, "x_px": 40, "hp": 10}]


def test_spawn_ticks_model_a():
    """§2.7 examples: ceil(3 * trunc(s / 10) / 100)."""
    assert [spawn_tick(s) for s in (0, 1000, 500, 3000, 4000, 5000, 6670)] == [0, 3, 2, 9, 12, 15, 21]
    assert spawn_tick(9) == 0 and spawn_tick(10) == 1 and spawn_tick(333) == 1 and spawn_tick(340) == 2
    assert spawn_tick(6670.0) == 21 and spawn_tick(0.5) == 0 and spawn_tick(19.99) == 1


def test_creation_order_follows_spawn_time_not_plan_order():
    """Two demons reach the goal on the same tick: the earlier-created one (smaller spawn_time) decides."""
    result = play([], [D("NormalDemon", 3, 1), D("NormalDemon", 1, 0)])
    assert result.summary["lost_row"] == 1 and result.summary["end_tick"] == 43
    result = play([], [D("NormalDemon", 3, 0), D("NormalDemon", 1, 0)])
    assert result.summary["lost_row"] == 3


def test_bullet_passing_the_first_overlapping_demon_does_nothing_else():
    """A normal bullet meeting a FlyingDemon first passes and cannot hit the demon sharing its position."""
    _, trace, _ = traced([H("HandgunSoldier", 0, 1)], [D("FlyingDemon", 1), D("NormalDemon", 1)])
    assert events(trace, "hit") == []
    _, trace, _ = traced([H("HandgunSoldier", 0, 1)], [D("NormalDemon", 1), D("FlyingDemon", 1)])
    assert events(trace, "hit", uid=0)


def test_shield_demon_ieee_hp():
    _, trace, _ = traced([H("MachineGunSoldier", 0, 0), H("ShieldSoldier", 6, 0)], [D("ShieldDemon", 0)])
    hps = [e["hp"] for e in events(trace, "hit")]
    expected, hp = [], 10.0
    for _ in hps:
        hp -= 0.3
        expected.append(hp)
    assert hps == expected and hps[0] == 9.7


def test_ice_slow_and_expiry_resets_to_base_speed():
    """One ice hit on tick 4 slows a SpeedyDemon to 10 px for 60 ticks; afterwards it walks at 20, not 40.

    Worked by hand: the soldier at column 9 fires on tick 3 (bullet at 840 -> 940); the demon spawned on
    tick 3 at 920 has moved to 880 and is hit on tick 4; it then touches the soldier from tick 9 on, kills it
    on tick 16, staggers until tick 22 and walks on.
    """
    speeds = {}

    def hook(tick, battle):
        for d in battle.demons:
            speeds[tick] = (d.x, d.speed)

    trace = []
    humans, demons = _canon("A", [H("IceSoldier", 9, 0)]), _canon("B", [D("SpeedyDemon", 0, 1000)])
    out = run_battle(humans, demons, trace=trace, tick_hook=hook)
    assert [(e["tick"], e["hp"]) for e in events(trace, "hit")] == [(4, 9)]
    assert [e["tick"] for e in events(trace, "attack")] == [9, 16]
    assert speeds[3] == (880, 40) and speeds[4] == (870, 10) and speeds[63] == (420, 10)
    assert speeds[64] == (400, 20) and speeds[65] == (380, 20)
    assert out.winner == "B" and out.end_tick == 82


def test_fire_and_frost_demons():
    _, trace, _ = traced([H("IceSoldier", 0, 0)], [D("FrostDemon", 0)])
    assert {e["hp"] for e in events(trace, "hit")} == {10}  # ice: no effect, bullet used up
    _, trace, _ = traced([H("IceSoldier", 0, 0)], [D("FireDemon", 0)])
    assert [e["hp"] for e in events(trace, "hit")][:2] == [7, 4]
    _, trace, _ = traced([H("FlamethrowerSoldier", 0, 0)], [D("FireDemon", 0)])
    assert {e["hp"] for e in events(trace, "hit")} == {10}
    _, trace, _ = traced([H("FlamethrowerSoldier", 0, 0)], [D("FrostDemon", 0)])
    assert [e["hp"] for e in events(trace, "hit")] == [5, 0]


def test_flying_demon_ignores_blockers_and_explosions():
    out, trace, _ = traced(
        [H("EnhancedShieldSoldier", 5, 1), H("LinearExplosion", 8, 1, 3000)], [D("FlyingDemon", 1)]
    )
    assert out.winner == "B" and out.end_tick == 43
    assert events(trace, "attack") == [] and events(trace, "explode")[0]["victims"] == []


def test_shield_breaker_deals_five_to_shields():
    _, trace, _ = traced([H("ShieldSoldier", 5, 0), H("HandgunSoldier", 4, 0)], [D("ShieldBreakerDemon", 0)])
    attacks = events(trace, "attack")
    assert attacks[0]["damage"] == 5 and attacks[0]["hp"] == 10


def test_linear_explosion_on_row_zero_hits_only_row_zero():
    out, trace, _ = traced([H("LinearExplosion", 4, 0)], [D("GreatDemon", 0), D("GreatDemon", 1)])
    assert events(trace, "explode")[0]["victims"] == [0]
    assert out.lost_row == 1


def test_late_linear_explosion_explodes_two_ticks_after_placement():
    out, trace, _ = traced([H("LinearExplosion", 5, 2, 5000)], [D("GreatDemon", 2)])
    (boom,) = events(trace, "explode")
    assert boom["tick"] == 17 and boom["victims"] == [0] and out.demons_killed == 1


def test_other_board_sizes():
    game = TowerDefense({"board_cols": 6, "board_rows": 3, "human_budget": 700})
    vb = game.validate("B", {"demons": [D("NormalDemon", 2)]})
    result = game.simulate(game.empty_plan("A"), vb)
    assert result.winner == "B" and result.summary["end_tick"] == (80 * 6 + 40 - 40) // 20 - 1
    summoner = game.validate("B", {"demons": [D("SummoningDemon", 2)]})
    trace = []
    run_battle([], summoner.plan["demons"], game.params, trace=trace)
    assert {e["y"] for e in events(trace, "summon")} == {1}
    one_row = TowerDefense({"board_rows": 1})
    trace = []
    plan = one_row.validate("B", {"demons": [D("SummoningDemon", 0)]}).plan["demons"]
    run_battle([], plan, one_row.params, trace=trace)
    assert {e["y"] for e in events(trace, "summon")} == {0}
