"""Reference scenarios of ruleset v2 with hand-checked outcomes (lives, mines, the FlyingDemon cap, limits).

Arithmetic shared by the scenarios (spec §2.7-2.9, unchanged in v2): a demon enters with left edge 920 px
and a generic demon walks 20 px per tick from tick 0, so after tick k its left edge is 920 - 20 (k + 1) and
it reaches the goal (left <= 40) on tick 43. A demon in front of a human in column c stops with left
80 c + 100 and touches it (left edges less than 80 px apart). A LinearExplosion's fuse is 500 ms = 2 ticks
and its blast (30 damage) covers its row and the row above it.
"""

from td_helpers import D, H

from games.tower_defense.v2 import TowerDefenseV2

GAME = TowerDefenseV2()


def play(humans, demons, game=GAME):
    """Validate (must be fully valid) and simulate; return the result."""
    va = game.validate("A", {"humans": humans})
    vb = game.validate("B", {"demons": demons})
    assert va.ok and vb.ok, (va.violations, vb.violations)
    return game.simulate(va, vb)


def test_v01_third_leak_takes_the_last_life():
    # Three NormalDemons in row 0 reach the goal together on tick 43: the first two cost a life each and
    # leave (3 -> 2 -> 1); the third takes the last life: Demon win on tick 43, row 0, one demon left.
    r = play([], [D("NormalDemon", 0)] * 3)
    s = r.summary
    assert (r.winner, s["end_tick"], s["lost_row"]) == ("B", 43, 0)
    assert (s["leaked"], s["lives_left"], s["winner_remaining"], s["winner_remaining_cost"]) == (2, 0, 1, 100)


def test_v02_two_leaks_are_survived():
    # Two NormalDemons leak on tick 43 (lives 3 -> 1); no demon is left or waiting: Human win on tick 43
    # with no human on the board.
    r = play([], [D("NormalDemon", 0), D("NormalDemon", 4)])
    s = r.summary
    assert (r.winner, s["end_tick"], s["leaked"], s["lives_left"]) == ("A", 43, 2, 1)
    assert s["winner_remaining"] == 0


def test_v03_untouched_mine_never_explodes():
    # A FlyingDemon flies over the mine at (5, 2) without starting its fuse and leaks on tick 43 (lives 3 ->
    # 2): Human win on tick 43; the mine is still there with its 50 HP, worth its cost 250.
    r = play([H("LinearExplosion", 5, 2)], [D("FlyingDemon", 2)])
    s = r.summary
    assert (r.winner, s["end_tick"], s["leaked"]) == ("A", 43, 1)
    assert s["survivors"] == [{"name": "LinearExplosion", "x": 5, "y": 2, "hp": 50}]
    assert s["winner_remaining_cost"] == 250


def test_v04_touched_mine_blasts_its_row_and_the_row_above():
    # Row 1: the GreatDemon's left edge is 500 after tick 20 (920 - 20 * 21), touching the mine in column 5
    # (440..520): on tick 21 it starts the fuse and hits the mine once (50 -> 49 HP). The fuse ends on tick
    # 23 (21 + 2): the blast deals 30 to both GreatDemons (20 HP each), the one in row 0 (left 460) too.
    # Both die on tick 23 and nothing is waiting: Human win on tick 23, the mine gone (not a loss).
    r = play([H("LinearExplosion", 5, 1)], [D("GreatDemon", 1), D("GreatDemon", 0)])
    s = r.summary
    assert (r.winner, s["end_tick"], s["demons_killed"], s["humans_lost"], s["leaked"]) == ("A", 23, 2, 0, 0)
    assert s["winner_remaining"] == 0


def test_v05_bouncing_demon_jumps_a_mine_without_arming_it():
    # The BouncingDemon touches the mine at (5, 0) on tick 21 (left 500) and jumps 160 px to 340 instead;
    # the mine is not armed. It walks on from 340 and reaches 40 after 15 more moves, on tick 36: one leak
    # (3 -> 2), Human win on tick 36, the mine intact.
    r = play([H("LinearExplosion", 5, 0)], [D("BouncingDemon", 0)])
    s = r.summary
    assert (r.winner, s["end_tick"], s["leaked"]) == ("A", 36, 1)
    assert s["survivors"] == [{"name": "LinearExplosion", "x": 5, "y": 0, "hp": 50}]


def test_v06_a_decoy_sets_the_mine_off_before_the_main_demon_arrives():
    # The NormalDemon decoy arms the mine at (5, 2) on tick 21 and dies in the blast on tick 23. The
    # GreatDemon spawns at 8000 ms = tick ceil(3 * 800 / 100) = 24, after the blast, and walks unhindered:
    # left 920 - 20 (k - 23) <= 40 on tick 67. One leak: Human win on tick 67, one demon killed.
    r = play([H("LinearExplosion", 5, 2)], [D("NormalDemon", 2), D("GreatDemon", 2, 8000)])
    s = r.summary
    assert (r.winner, s["end_tick"], s["leaked"], s["demons_killed"]) == ("A", 67, 1, 1)


def test_v07_the_tick_cap_is_a_human_win():
    # An EnhancedShieldSoldier (30 HP) at (9, 0) stops a NormalDemon at left 820 after tick 4; the demon
    # hits it on ticks 5, 12, ..., one hit every 7 ticks (cooldown 3 + stagger 6 overlap). With tick_cap 200
    # the hits of ticks 5 + 7 i <= 199 are i = 0..27, 28 hits: the battle ends capped on tick 199, a Human
    # win, the soldier at 30 - 28 = 2 HP.
    game = TowerDefenseV2({"tick_cap": 200})
    r = play([H("EnhancedShieldSoldier", 9, 0)], [D("NormalDemon", 0)], game)
    s = r.summary
    assert (r.winner, s["end_tick"], s["capped"]) == ("A", 199, True)
    assert s["survivors"][0]["hp"] == 2


def test_v08_the_shield_falls_and_the_demon_leaks_under_the_default_cap():
    # As v07 but with the default cap (1000): the 30th hit on tick 5 + 7 * 29 = 208 kills the soldier; the
    # demon finishes its stagger (ticks 209-214), walks from tick 215 and needs (820 - 40) / 20 = 39 moves:
    # left 40 on tick 253. One leak: Human win on tick 253, one human lost.
    r = play([H("EnhancedShieldSoldier", 9, 0)], [D("NormalDemon", 0)])
    s = r.summary
    assert (r.winner, s["end_tick"], s["leaked"], s["humans_lost"], s["capped"]) == ("A", 253, 1, 1, False)


def test_v09_at_most_two_flying_demons():
    # The third FlyingDemon entry is a violation and is dropped: the plan fields two, cost 2 x 200.
    vp = GAME.validate("B", {"demons": [D("FlyingDemon", y) for y in (0, 1, 2)]})
    assert [(v.code, v.index) for v in vp.violations] == [("unit_cap", 2)]
    assert len(vp.plan["demons"]) == 2 and vp.cost == 400


def test_v10_spawn_times_are_limited():
    # 10000 ms is the latest spawn time; 10001 is a violation, for either side.
    ok = GAME.validate("B", {"demons": [D("NormalDemon", 0, 10_000)]})
    late = GAME.validate("A", {"humans": [H("HandgunSoldier", 0, 0, 10_001)]})
    assert ok.ok and [v.code for v in late.violations] == ["out_of_range"]


def test_v11_mine_costs_250_and_greedy_plans_fit_the_budgets():
    assert GAME.catalogue("A")["units"]["LinearExplosion"]["cost"] == 250
    for side in ("A", "B"):
        vp = GAME.validate(side, GAME.greedy_plan(side))
        assert vp.ok and vp.cost <= GAME.side(side).budget
