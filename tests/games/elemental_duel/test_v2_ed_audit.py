"""Audit regression for ruleset v2 at size small: no unbeaten plan, a value near the middle.

Seed 1 is used because at size small (400-simulation attacks, one round) seed 0 reports one invader plan
as unbeaten that a longer search beats (the test below pins the beater); size default finds no unbeaten
plan on seeds 0, 1 and 2 (docs/rulesets.md).
"""

from ed_helpers import defenders, invaders

from games.analysis.audit import run_audit
from games.elemental_duel.v2 import ElementalDuelV2


def test_v2_small_audit_finds_no_dominant_plan():
    report = run_audit(ElementalDuelV2(), seed=1, size="small")
    assert report["unbeaten"] == {"A": [], "B": []}
    assert 0.25 <= report["a_win_equiv"] <= 0.75
    assert report["support"]["A"] >= 2 and report["support"]["B"] >= 2


def test_v2_strong_plans_have_counters():
    game = ElementalDuelV2()
    cases = [
        # v1's unbeatable plan; Light -> Dark x 1.5 and the defender strikes first.
        (defenders(("Light", ["divine_sword"])), invaders(("Dark", ["final_announcement"])), "A"),
        # Reported unbeaten by the size-small audit with seed 0, beaten by a reordered greedy plan.
        (
            defenders(
                ("Light", ["divine_sword", "divine_sword", "holy_glimmer"]),
                ("Wood", ["parasitic_seed", "parasitic_seed", "forest_reincarnation"]),
                ("Earth", ["earth_shock"] * 3),
            ),
            invaders(
                ("Dark", ["final_announcement", "soul_siphon"]),
                ("Dark", ["final_announcement", "shadow_claw"]),
                ("Fire", ["hell_curtain", "magma_eruption"]),
            ),
            "A",
        ),
        # The greedy defender beats the greedy invader, but loses to the same invaders in another order.
        (game.greedy_plan("A"), game.greedy_plan("B"), "A"),
        (
            game.greedy_plan("A"),
            invaders(
                ("Dark", ["final_announcement", "shadow_claw", "soul_siphon"]),
                ("Dark", ["final_announcement"]),
                ("Fire", ["hell_curtain", "magma_eruption"]),
            ),
            "B",
        ),
    ]
    for plan_d, plan_i, winner in cases:
        vd, vi = game.validate("A", plan_d), game.validate("B", plan_i)
        assert vd.ok and vi.ok
        assert game.simulate(vd, vi).winner == winner
