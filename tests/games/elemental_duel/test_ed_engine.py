"""Engine mechanics of spec §4.4–4.8 and the exactness of the stall shortcuts."""

import random

import pytest
from ed_helpers import defenders, invaders, play

import games.elemental_duel.stalls as stalls
from games.elemental_duel import ElementalDuel
from games.elemental_duel.catalogue import (
    ALL_ELEMENTS,
    ANGELIC_SANCTUARY,
    DEFENDER_ELEMENTS,
    FAITH_EMBLEM,
    FEAR_WHISPER,
    GRANITE_BARRIER,
    INVADER_ELEMENTS,
    MULTIPLIERS,
    REDUCTIONS,
    ROCK_ARMOR,
)
from games.elemental_duel.engine import compile_cycle, run_battle
from games.elemental_duel.fighter import Fighter
from games.elemental_duel.planning import random_entries
from games.elemental_duel.skills import _d


@pytest.fixture(scope="module")
def game():
    return ElementalDuel()


def _fighter(element="Wood", skills=()):
    return Fighter(0, element, 100, compile_cycle(tuple(skills)))


def test_multiplier_table_matches_spec():
    spec = {
        "Fire": [1.0, 1.0, 1.0, 1.2, 0.8, 1.0],
        "Water": [1.0, 1.0, 1.0, 0.8, 1.2, 1.0],
        "Dark": [1.0, 1.0, 1.0, 1.0, 1.0, 1.5],
        "Wood": [0.8, 1.2, 1.0, 1.0, 1.0, 1.0],
        "Earth": [1.2, 0.8, 1.0, 1.0, 1.0, 1.0],
        "Light": [1.0, 1.0, 1.5, 1.0, 1.0, 1.0],
    }
    assert ALL_ELEMENTS == ("Fire", "Water", "Dark", "Wood", "Earth", "Light")
    for attacker, row in spec.items():
        assert [MULTIPLIERS[attacker][t] for t in ALL_ELEMENTS] == row


@pytest.mark.parametrize(
    ("power", "expected"),
    [
        (5, (4, 5, 6, 7)),
        (9, (7, 9, 10, 13)),
        (12, (9, 12, 14, 18)),
        (25, (20, 25, 30, 37)),
        (45, (36, 45, 54, 67)),
        (55, (44, 55, 66, 82)),
        (90, (72, 90, 108, 135)),
        (127, (101, 127, 152, 190)),
    ],
)
def test_effective_damage_table(power, expected):
    target = _fighter()
    assert tuple(_d(target, power, m) for m in (0.8, 1.0, 1.2, 1.5)) == expected


def test_damage_is_at_least_one():
    target = _fighter()
    target.add_ordered(ANGELIC_SANCTUARY, REDUCTIONS[ANGELIC_SANCTUARY])
    assert _d(target, 12, 1.0) == 1
    assert _d(target, 0, 1.0) == 1


def test_reduction_sum_follows_status_order_in_ieee_double():
    a, b = _fighter(), _fighter()
    for name in (FEAR_WHISPER, GRANITE_BARRIER, ANGELIC_SANCTUARY):
        a.add_ordered(name, REDUCTIONS[name])
    for name in (ANGELIC_SANCTUARY, GRANITE_BARRIER, FEAR_WHISPER):
        b.add_ordered(name, REDUCTIONS[name])
    assert a.R == (0 + 0.1 + 0.45) + 40 == 40.55
    assert b.R == (0 + 40 + 0.45) + 0.1 == 40.550000000000004
    # A removed and re-added name goes to the end of the order.
    a.remove_ordered(FEAR_WHISPER)
    a.add_ordered(FEAR_WHISPER, 0.1)
    assert list(a.od) == [GRANITE_BARRIER, ANGELIC_SANCTUARY, FEAR_WHISPER]
    assert a.R == b.R


def test_incremental_caches_equal_a_full_rebuild():
    rng = random.Random(1)
    names = [FEAR_WHISPER, GRANITE_BARRIER, FAITH_EMBLEM, ANGELIC_SANCTUARY, ROCK_ARMOR]
    for _ in range(200):
        f = _fighter()
        for _ in range(rng.randint(1, 25)):
            name = rng.choice(names)
            if rng.random() < 0.2:
                f.remove_ordered(name)
            else:
                f.add_ordered(name, REDUCTIONS.get(name, rng.choice([3, 6.8, 7.55])))
        r, refl = f.R, list(f.refl)
        f.rebuild()
        assert (r, refl) == (f.R, f.refl)
        assert f.faith == (FAITH_EMBLEM in f.od)


def test_reflect_runs_after_a_self_buff(game):
    # Earth's Rock Armor is D(8 x 0.8) = 6 against Water; Water's water_barrier (no effect) still pays it.
    vd, vi = (
        game.validate("A", defenders(("Earth", ["rock_armor"]))),
        game.validate("B", invaders(("Water", ["water_barrier"]))),
    )
    log = game.battle_log(vd, vi)
    assert log[0]["skill"] == "water_barrier" and log[0]["hp"]["B"] == 100
    assert log[1]["skill"] == "rock_armor" and log[1]["hp"]["B"] == 100
    assert log[2]["hp"]["B"] == 94
    assert log[4]["hp"]["B"] == 82  # two Rock Armors now


def test_mutual_knockout_defender_wins_then_loses_without_acting(game):
    # Light's divine_sword kills Fire but the Reflective Shield (D(50) = 50) kills Light too.
    plan_d = defenders(("Light", ["divine_sword"]))
    alone = play(game, plan_d, invaders(("Fire", ["residual_warmth", "hell_curtain"])))[2]
    assert alone.winner == "A"  # no invader left: Defenders win with a dead defender
    assert alone.summary["duels"][0]["hp_after"] == {"A": -45.0, "B": -5.0}
    assert alone.summary["survivors"]["A"] == [{"element": "Light", "hp": -45.0}]
    two = play(
        game, plan_d, invaders(("Fire", ["residual_warmth", "hell_curtain"]), ("Water", ["stream_pierce"]))
    )[2]
    assert two.winner == "B"
    assert [(d["winner"], d["actions"]) for d in two.summary["duels"]] == [("A", 6), ("B", 0)]
    assert two.summary["survivors"]["B"] == [{"element": "Water", "hp": 100.0}]


@pytest.mark.parametrize(
    ("plan_d", "plan_i", "winner", "result"),
    [
        ([], [], "A", "Defenders win"),
        ([], [("Fire", ["flame_splash"])], "B", "Invaders win"),
        ([("Wood", ["bud_healing"])], [], "A", "Defenders win"),
    ],
)
def test_empty_teams(game, plan_d, plan_i, winner, result):
    res = play(game, defenders(*plan_d), invaders(*plan_i))[2]
    assert (res.winner, res.summary["result"], res.summary["duels"]) == (winner, result, [])


def test_two_idle_characters_hit_the_cap_and_nobody_wins(game):
    res = play(game, defenders(("Wood", [])), invaders(("Fire", [])))[2]
    assert res.winner is None
    assert res.summary["result"] == "No winner" and res.summary["capped"] is True
    assert res.summary["duels"] == [
        {"invader": 0, "defender": 0, "winner": None, "actions": 1000, "hp_after": {"A": 100.0, "B": 100.0}}
    ]


def test_action_cap_and_duel_cap_are_parameters():
    plan_d = defenders(("Wood", ["life_totem"]), ("Earth", ["earth_shock"]))
    plan_i = invaders(("Fire", ["flame_splash"]), ("Fire", ["flame_splash"]))
    small = ElementalDuel({"duel_action_cap": 10})
    res = play(small, plan_d, plan_i)[2]
    assert res.winner is None and res.summary["duels"][-1]["actions"] == 10
    # Stopping after one duel: the Earth defender never fights and invaders are left, so they win.
    one = ElementalDuel({"max_duels": 1, "duel_action_cap": 10})
    res = play(one, defenders(("Earth", ["earth_pulse"]), ("Earth", ["earth_pulse"])), plan_i)[2]
    assert len(res.summary["duels"]) == 1 and res.winner == "B"


def test_start_hp_parameter():
    g = ElementalDuel({"start_hp": 200})
    res = play(g, defenders(("Earth", ["earth_pulse"])), invaders(("Dark", ["final_announcement"])))[2]
    assert res.summary["duels"][0]["hp_after"]["A"] == 200 - 127 - 127  # two hits, Earth's 90 in between
    assert res.summary["duels"][0]["hp_after"]["B"] == 200 - 90


# ----------------------------------------------------------------------------- stall shortcuts
def _pairs(seed, n, size=3):
    rng = random.Random(seed)
    for _ in range(n):
        d = random_entries(DEFENDER_ELEMENTS, 20, size, 3, rng)
        i = random_entries(INVADER_ELEMENTS, 20, size, 3, rng)
        yield [(e["element"], e["skills"]) for e in d], [(e["element"], e["skills"]) for e in i]


def test_stall_shortcuts_are_exact_on_random_plans(monkeypatch):
    """An unlogged battle (with shortcuts) equals the logged action-by-action battle, field for field."""
    taken = {"harmless": 0, "skip_down": 0}
    real_finish, real_safe_periods = stalls._finish_harmless, stalls._safe_periods

    def finish(*a):
        taken["harmless"] += 1
        return real_finish(*a)

    def safe_periods(hp, delta, dip):
        q = real_safe_periods(hp, delta, dip)
        if delta < 0 and q > 0:
            taken["skip_down"] += 1
        return q

    monkeypatch.setattr(stalls, "_finish_harmless", finish)
    monkeypatch.setattr(stalls, "_safe_periods", safe_periods)
    for d, i in _pairs(11, 1500):
        assert run_battle(d, i) == run_battle(d, i, log=[]), (d, i)
    assert taken["harmless"] > 0 and taken["skip_down"] > 0


@pytest.mark.parametrize(
    ("d", "i"),
    [
        ([("Wood", ["life_totem"])], [("Fire", ["flame_splash"])]),  # integer periodic, capped
        (
            [("Wood", ["life_totem", "bud_healing", "bud_healing"])],
            [("Fire", ["flame_splash"])],
        ),  # slow death
        ([("Earth", ["granite_barrier"])], [("Dark", ["fear_whisper"])]),  # harmless, fractional statuses
        ([("Wood", ["bud_healing", "life_totem"])], [("Water", ["water_barrier"])]),  # harmless with heals
        ([("Wood", ["life_totem"])], [("Dark", ["void_assimilation"])]),  # void: caster's HP in the state
        ([("Light", ["faith_emblem", "divine_link"])], [("Water", ["water_barrier", "abyss_resonance"])]),
    ],
)
def test_stall_shortcuts_are_exact_on_crafted_stalls(d, i):
    for cap in (1000, 999, 37):
        assert run_battle(d, i, duel_action_cap=cap) == run_battle(d, i, duel_action_cap=cap, log=[])


def test_fractional_status_from_an_earlier_duel_blocks_the_integer_shortcut():
    # Duel 1 leaves Luminous Dispel (0.2) on the Fire; duel 2 (a stall) must then be played out in full.
    d = [("Light", ["luminous_dispel"]), ("Wood", ["life_totem"])]
    i = [("Fire", ["flame_splash"])]
    out = run_battle(d, i)
    assert out == run_battle(d, i, log=[])
    assert out.capped and [r.winner for r in out.duels] == ["B", None]


def test_periodic_skip_really_skips(monkeypatch):
    import games.elemental_duel.engine as engine

    played = {"n": 0}
    real = engine.play_actions

    def counting(inv, dfd, mi, md, n, stop, k, log):
        m = real(inv, dfd, mi, md, n, stop, k, log)
        played["n"] += m - n
        return m

    monkeypatch.setattr(engine, "play_actions", counting)
    out = run_battle([("Wood", ["life_totem"])], [("Fire", ["flame_splash"])])
    assert out.capped and out.duels[0].defender_hp == 100 + 500 * 16
    assert played["n"] < 100
