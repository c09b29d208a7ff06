"""Hand-computed single mechanics of the battle card engine (spec §3.5–3.9)."""

import copy
import random

import pytest
from bc_helpers import GAME, line, play, survivors

import games.battle_card.engine as engine
from games.battle_card import BattleCard
from games.core.errors import EngineError


def test_empty_line_no_battle_no_start_effects():
    r = play(["AncientTreant", "Sapling"], [])
    assert r.winner == "A" and r.summary["attacks"] == 0
    assert survivors(r, "A") == [("AncientTreant", 2, 3), ("Sapling", 2, 2)]  # unbuffed
    both = play([], [])
    assert both.winner == "B" and both.summary["simultaneous"] is True


def test_start_of_battle_effects():
    log: list = []
    play(
        ["ForestSeer*G", "Sapling", "BlackRock", "EliteSoldier", "AncientTreant", "VineProtector"],
        ["LavaGolem*G"],
        log=log,
    )
    # Defenders have initiative (1 < 6); ForestSeer 4/6 hits LavaGolem, burns 6, takes the counter 2.
    assert log[0]["attacker"] == "ForestSeer"
    assert line(log[0], "A") == [
        ("ForestSeer", 4, 4, False, 6),
        ("Sapling", 6, 6, False, 0),  # +2/+2 Gold seer (Nature) +2/+2 treant
        ("BlackRock", 5, 18, True, 0),  # +15 (3 x 5 others), EliteSoldier +1 and shield, treant +2/+2
        ("EliteSoldier", 3, 3, False, 0),
        ("AncientTreant", 5, 5, True, 0),  # Gold seer +2/+2 (Nature), EliteSoldier +1 and shield
        ("VineProtector", 7, 8, False, 0),
    ]
    assert line(log[0], "B") == [("LavaGolem", 2, 12, False, 0)]


def test_initiative_tie_goes_to_invaders():
    log: list = []
    play(["RockBeetle"], ["TideLord"], log=log)
    assert log[0]["side"] == "B"


def test_tidelord_doubles_on_every_health_hit():
    r = play(["RockBeetle"], ["TideLord"])
    # TL hits RB (5->1), counter 1 (TL 9, atk 8); RB hits TL (8, atk 16), counter 16 kills RB.
    assert r.winner == "B" and r.summary["attacks"] == 2
    assert survivors(r, "B") == [("TideLord", 16, 8)]


def test_phoenix_rebirth_once_at_five_health():
    r = play(["King*G"], ["Phoenix"])
    # Phoenix hits King (24->19), counter 6 kills it -> reborn at 5; King kills it for good, summons a
    # Soldier (line below 5), counter 5 -> King 14.
    assert r.winner == "A" and r.summary["attacks"] == 2
    assert survivors(r, "A") == [("King(G)", 6, 14), ("Soldier", 1, 1)]


def test_gold_phoenix_is_reborn_at_bronze_health():
    log: list = []
    play(["King*G"], ["Phoenix*G"], log=log)
    # Phoenix*G 10/10 hits King (24->14); counter 6 -> 4 left, survives: no rebirth yet.
    assert line(log[0], "B") == [("Phoenix", 10, 4, False, 0)]
    # King hits it (4-6 < 0) -> reborn at 5 (not 10); counter 10 -> King 4; Soldier summoned.
    assert line(log[1], "B") == [("Phoenix", 10, 5, False, 0)]
    assert [m[0] for m in line(log[1], "A")] == ["King", "Soldier"]


def test_burned_attacker_still_completes_its_attack():
    r = play(["RockBeetle"], ["LavaGolem*G"])
    # LG hits RB (5->3), counter 1 -> LG 15 and RB burn 6. RB's burn kills it (3->-3) but it still hits
    # (LG 14, burn rewritten to 6) and takes the counter.
    assert r.winner == "B" and r.summary["attacks"] == 2
    assert survivors(r, "B") == [("LavaGolem(G)", 2, 14)]


def test_mountain_giant_reduces_both_hits_of_battle_frenzy():
    r = play(["MountainGiant"], ["BattleFrenzy"])
    # BF hits MG (9->2, BF atk 5), second hit 5 kills MG (BF atk 3), frenzy -4 -> 0, counter 4 kills BF.
    assert r.winner == "B" and r.summary["simultaneous"] is True and r.summary["attacks"] == 1


def test_paladin_gains_attack_from_team_context_shield_loss_only():
    r = play(["Paladin", "Paladin"], ["WaterElemental"])
    # Counter-damage (team context) pops the first Paladin's shield: the other one gains +2.
    assert survivors(r, "A") == [("Paladin", 3, 6), ("Paladin", 5, 6)]
    r = play(["Paladin", "Paladin"], ["FireLizard"])
    # FireLizard's deathrattle (no team context) pops the shield: no gain; counter 2 -> 3/4.
    assert survivors(r, "A") == [("Paladin", 3, 4), ("Paladin", 3, 6)]


def test_poison_kills_unshielded_and_only_pops_shields():
    r = play(["Paladin", "RockBeetle"], ["PoisonFrog", "PoisonFrog"])
    # Frog 1 only pops Paladin's shield and dies to the counter; Paladin kills frog 2 but its poisonous
    # counter (1 damage) destroys the 6-health Paladin.
    assert r.winner == "A" and r.summary["attacks"] == 2
    assert survivors(r, "A") == [("RockBeetle", 1, 5)]


def test_king_summons_only_below_five():
    log: list = []
    play(["King", "RockBeetle", "RockBeetle", "RockBeetle"], ["TideLord"], log=log)
    assert [m[0] for m in line(log[0], "A")] == ["King", "RockBeetle", "RockBeetle", "RockBeetle", "Soldier"]
    log = []
    play(["King", "RockBeetle", "RockBeetle", "RockBeetle", "RockBeetle"], ["TideLord"], log=log)
    assert [m[0] for m in line(log[0], "A")] == ["King"] + ["RockBeetle"] * 4


@pytest.mark.parametrize(("tier", "stats"), [("", (3, 1)), ("*G", (6, 2))])
def test_shadow_overlord_fills_the_line_with_skeletons(tier, stats):
    log: list = []
    play(["King*G"], ["ShadowOverlord" + tier], log=log)
    if tier:
        # Gold overlord 8/8 survives the counter 6; it takes the King's answer and dies afterwards.
        log = [r for r in log if not any(m[0] == "ShadowOverlord" for m in line(r, "B"))]
    assert [(m[0], m[1], m[2]) for m in line(log[0], "B")] == [("SkeletonMinion", *stats)] * 7


def test_skeleton_fill_follows_max_units():
    game = BattleCard({"max_units": 4})
    log: list = []
    a = game.validate("A", {"defenders": [{"name": "King", "tier": "Gold"}]})
    b = game.validate("B", {"invaders": [{"name": "ShadowOverlord"}]})
    game.battle(a, b, log)
    assert [m[0] for m in line(log[0], "B")] == ["SkeletonMinion"] * 4


def test_stone_warrior_leaves_a_rock_beetle_of_its_tier():
    r = play(["StoneWarrior*G"], ["BanditLeader*G"])
    # BL 16 kills SW (no one to carry over to), counter 4 -> BL 2; RockBeetle(G) 2/10 kills BL, counter 16.
    assert r.winner == "B" and r.summary["simultaneous"] is True and r.summary["attacks"] == 2


def test_bandit_leader_carries_over_excess_damage():
    r = play(["Sapling", "RockBeetle"], ["BanditLeader", "FireLizard"])
    # BL 8 kills Sapling 2/2 with 6 excess, which kills RockBeetle 1/5; counter 2 -> BL 8/1.
    assert r.winner == "B" and r.summary["attacks"] == 1
    assert survivors(r, "B") == [("BanditLeader", 8, 1), ("FireLizard", 2, 2)]


def test_vine_protector_heals_before_the_death_check():
    log: list = []
    r = play(["VineProtector"], ["Phoenix"], log=log)
    # Phoenix 5 on VP 4 -> -1, heal 2 -> 1: alive.
    assert line(log[0], "A") == [("VineProtector", 3, 1, False, 0)]
    # VP kills Phoenix (reborn at 5); counter 5 -> -4 + 2 = -2: dead.
    assert r.winner == "B" and survivors(r, "B") == [("Phoenix", 5, 5)]


def test_molten_hound_hits_dead_not_yet_removed_minions():
    log: list = []
    r = play(["Sapling", "Sapling"], ["MoltenHound", "FireLizard"], log=log)
    # MH kills Sapling 1, the counter kills MH; its deathrattle hits both saplings (the first is dead).
    assert line(log[0], "A") == [("Sapling", 2, 1, False, 0)]
    assert line(log[0], "B") == [("FireLizard", 2, 2, False, 0)]
    # Sapling 2 grows to 2 health, kills FireLizard, whose deathrattle and counter kill it.
    assert r.winner == "B" and r.summary["simultaneous"] is True and r.summary["attacks"] == 2


def test_attack_guard_raises_engine_error(monkeypatch):
    monkeypatch.setattr(engine, "ATTACK_GUARD", 1)
    with pytest.raises(EngineError):
        play(["King", "StoneWarrior", "VineProtector"], ["BanditLeader", "TideLord", "ShadowOverlord"])


def test_simulate_is_pure_and_deterministic():
    rng = random.Random(3)
    for _ in range(50):
        a = GAME.validate("A", GAME.random_plan("A", rng))
        b = GAME.validate("B", GAME.random_plan("B", rng))
        before = copy.deepcopy((a.plan, b.plan))
        first, second = GAME.simulate(a, b), GAME.simulate(a, b)
        assert first == second
        assert (a.plan, b.plan) == before
        surv = first.summary["survivors"]
        assert first.winner == ("B" if not surv["A"] else "A")
        if first.summary["simultaneous"]:
            assert surv == {"A": [], "B": []}
        else:
            assert bool(surv["A"]) != bool(surv["B"])


def test_log_is_off_by_default_and_matches_attack_count():
    log: list = []
    r = play(
        ["King", "StoneWarrior", "VineProtector"], ["BanditLeader", "TideLord", "ShadowOverlord"], log=log
    )
    assert len(log) == r.summary["attacks"] == 7
    assert [rec["attack"] for rec in log] == list(range(1, 8))
