"""Reference scenarios of ruleset v2, each outcome computed by hand from the v2 rules text.

v2 facts used below: the defender acts first in every duel; every character has 3 skill slots and empty
slots are rests (no action at all: no reflect, no seed); HP starts at 100, which is also the max HP;
multipliers Earth->Fire, Fire->Wood, Water->Earth, Wood->Water 1.5, the reverse pairs 0.5, Dark<->Light
1.5, all others 1; D(P) = trunc(P x m) - R, at least 1.
"""

import pytest
from ed_helpers import defenders, invaders

from games.elemental_duel.v2 import ElementalDuelV2


@pytest.fixture(scope="module")
def game():
    return ElementalDuelV2()


def _play(game, plan_d, plan_i):
    vd, vi = game.validate("A", plan_d), game.validate("B", plan_i)
    assert vd.ok and vi.ok, (vd.violations_as_dicts(), vi.violations_as_dicts())
    return vd, vi, game.simulate(vd, vi)


def _survivors(res, side):
    return [(s["element"], s["hp"]) for s in res.summary["survivors"][side]]


SCENARIOS = {
    # V01 rests and the defender's first strike. Earth -> Fire: trunc(20 x 1.5) = 30; Fire -> Earth:
    # trunc(12 x 0.5) = 6. Each uses its one skill on actions 1, 7, 13, 19 (Earth) and 2, 8, 14 (Fire):
    # Fire 100 -> 70 -> 40 -> 10 -> -20 at action 19; Earth 100 -> 94 -> 88 -> 82.
    "V01-rests": (
        defenders(("Earth", ["earth_shock"])),
        invaders(("Fire", ["flame_splash"])),
        ("A", [19], [("Earth", 82.0)], [], (1, 1)),
    ),
    # V02 final_announcement counts tenths lost. a1 earth_shock: Dark 80. a2 FA vs an unhurt Earth: N = 0,
    # D(55) = 55 -> Earth 45. a3: Dark 60. a4 FA: 55 lost = 5 whole tenths, D(55 + 8 x 5) = 95 -> Earth
    # -50. (v1 dealt D(127) on the first hit.)
    "V02-final-announcement": (
        defenders(("Earth", ["earth_shock"] * 3)),
        invaders(("Dark", ["final_announcement"] * 3)),
        ("B", [4], [], [("Dark", 60.0)], (3, 12)),
    ),
    # V03 heals stop at max HP. a1 life_totem at 100 HP: stays 100. Fire -> Wood trunc(12 x 1.5) = 18:
    # every invader action takes Wood to 82, every defender action heals it back to 100 (82 + 30 capped).
    # Nobody can lose: the duel hits the 200-action cap after an invader action (Wood 82, Fire 100).
    "V03-heal-cap": (
        defenders(("Wood", ["life_totem"] * 3)),
        invaders(("Fire", ["flame_splash"] * 3)),
        (None, [200], [("Wood", 82.0)], [("Fire", 100.0)], (6, 3)),
    ),
    # V04 earth_pulse counts its caster's own tenths lost; Water -> Earth trunc(10 x 1.5) = 15, Earth ->
    # Water x 0.5. a1 EP at full HP: N = 0, no damage. a2: Earth 85. a3 N = 1: trunc(10 x 0.5) = 5 ->
    # Water 95. a4: 70. a5 N = 3: 15 -> 80. a6: 55. a7 N = 4: 20 -> 60. a8: 40. a9 N = 6: 30 -> 30.
    # a10: 25. a11 N = 7: 35 -> Water -5.
    "V04-earth-pulse": (
        defenders(("Earth", ["earth_pulse"] * 3)),
        invaders(("Water", ["stream_pierce"] * 3)),
        ("A", [11], [("Earth", 25.0)], [], (12, 3)),
    ),
    # V05 the smaller Reflective Shield. Wood -> Fire trunc(40 x 0.5) = 20; Fire -> Wood trunc(45 x 1.5)
    # = 67 and r = trunc(10 x 1.5) = 15. a1 NP: Fire 80 (no shield yet). a2 HC: Wood 33, shield 15.
    # a3-a6 rests. a7 NP: Fire 60, reflect: Wood 18. a8 HC: Wood -49.
    "V05-hell-curtain": (
        defenders(("Wood", ["natural_purification"])),
        invaders(("Fire", ["hell_curtain"])),
        ("B", [8], [], [("Fire", 60.0)], (3, 5)),
    ),
    # V06 Angelic Sanctuary 20 and soul_siphon's half-HP test; Light <-> Dark x 1.5. Dark's soul_siphon is
    # trunc(30 x 1.5) = 45, or trunc(55 x 1.5) = 82 below 50 HP; divine_sword trunc(35 x 1.5) = 52.
    # a1 AS (R 20). a2 SS: 45 - 20 = 25 -> Light 75. a3 DS: Dark 48. a4 SS: Light 50. a5 rest. a6 SS (50 is
    # not below half): Light 25. a7 AS (R 40). a8 SS (25 < 50): 82 - 40 = 42 -> Light -17.
    "V06-sanctuary-siphon": (
        defenders(("Light", ["angelic_sanctuary", "divine_sword"])),
        invaders(("Dark", ["soul_siphon"] * 3)),
        ("B", [8], [], [("Dark", 48.0)], (9, 6)),
    ),
    # V07 a chain of duels: survivors keep their HP, and the defender acts first in every duel.
    # Duel 1 (Earth 30 / Fire 6 per hit): Fire 70, E1 94, Fire 40, E1 88, Fire 10, E1 82, Fire -20 (7).
    # Duel 2 E1 82 vs Water (Earth -> Water trunc(20 x 0.5) = 10, Water -> Earth 15): Water 90, E1 67,
    # 80, 52, 70, 37, 60, 22, 50, 7, 40, E1 -8 (12 actions). Duel 3 Water 40 vs fresh E2: Water 30, E2 85,
    # 20, 70, 10, 55, Water 0 (7 actions; 0 HP is down).
    "V07-chain": (
        defenders(("Earth", ["earth_shock"] * 3), ("Earth", ["earth_shock"] * 3)),
        invaders(("Fire", ["flame_splash"] * 3), ("Water", ["stream_pierce"] * 3)),
        ("A", [7, 12, 7], [("Earth", 55.0)], [], (6, 6)),
    ),
    # V08 a rest triggers no seed. Wood -> Dark x 1: parasitic_seed D(10), seed c = D(5) = 5; shadow_claw
    # D(14), heal 4. Per round of 6 actions: Wood's seed (Dark -10, one more seed), Dark's claw (Wood -14,
    # Dark +4, then -5 per seed), then 4 rests that cost nothing. Dark: 90, 89 | 79, 73 | 63, 52 | 42, 26
    # | 16, -5 at action 26; Wood: 86, 72, 58, 44, 30.
    "V08-seed-and-rests": (
        defenders(("Wood", ["parasitic_seed"])),
        invaders(("Dark", ["shadow_claw"])),
        ("A", [26], [("Wood", 30.0)], [], (1, 1)),
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_v2_reference_scenario(game, name):
    plan_d, plan_i, (winner, actions, surv_a, surv_b, costs) = SCENARIOS[name]
    vd, vi, res = _play(game, plan_d, plan_i)
    assert res.winner == winner
    assert [d["actions"] for d in res.summary["duels"]] == actions
    assert _survivors(res, "A") == surv_a
    assert _survivors(res, "B") == surv_b
    assert (vd.cost, vi.cost) == costs
    assert res.summary["capped"] is (winner is None)


def test_v2_log_shows_rests_and_the_defender_first(game):
    vd = game.validate("A", defenders(("Earth", ["earth_shock"])))
    vi = game.validate("B", invaders(("Fire", ["flame_splash"])))
    log = game.battle_log(vd, vi)
    assert [(a["actor"], a["skill"]) for a in log[:4]] == [
        ("A", "earth_shock"),
        ("B", "flame_splash"),
        ("A", None),
        ("B", None),
    ]
    assert log[0]["hp"] == {"A": 100.0, "B": 70.0}
