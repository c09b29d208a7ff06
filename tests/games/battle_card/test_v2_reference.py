"""Reference scenarios of battle card ruleset v2, each outcome worked out by hand from the v2 rules.

Notation: ``Name`` Bronze, ``Name*G`` Gold; survivors are (name, attack, health) with ``(G)`` for Gold.
The v2 changes these exercise: Taunt (RockBeetle, StoneWarrior, MountainGiant, LavaGolem are targeted
first), Phoenix's splash (only the target's neighbours). Where it shows the change, the v1 outcome of the same
plans is checked too.
"""

import pytest
from bc_helpers import GAME as V1
from bc_helpers import play, survivors

from games.battle_card.v2 import BattleCardV2

V2 = BattleCardV2()

SCENARIOS = [
    # V01 Taunt redirects the first hit, BanditLeader's carry-over then hits the leftmost other minion.
    # 2 >= 2 minions: Invaders first. BanditLeader 8/3 must hit RockBeetle 1/5 (Taunt), not Sapling:
    # 5 - 8 = -3, excess 3 carries over to Sapling 2/2 -> -1; counter 1 -> BanditLeader 8/2.
    # Both defenders are removed: Invaders win. (v1: Sapling is hit, 6 carries to RockBeetle, counter 2
    # -> BanditLeader 8/1.)
    (
        "V01",
        ["Sapling", "RockBeetle"],
        ["BanditLeader", "FireLizard"],
        "B",
        [],
        [("BanditLeader", 8, 2), ("FireLizard", 2, 2)],
    ),
    # V02 Phoenix splash, rebirth and a Taunt token. 4 >= 4: Invaders first.
    # Phoenix 5/5 hits StoneWarrior 2/5 (Taunt) -> 0, dead; splash 5 on its neighbours Sapling #1 and #2
    # (2/2 -> -3, dead); Sapling #3 is not beside it and is untouched. Counter 2 -> Phoenix 5/3. Cleanup:
    # StoneWarrior's deathrattle adds a RockBeetle 1/5 (Taunt): line [Sapling, RockBeetle].
    # Answer: Sapling grows to 2/3, hits Phoenix -> 5/1, counter 5 -> Sapling -2, dead.
    # FireLizard #1 hits RockBeetle (Taunt) -> 1/3, counter 1 -> FireLizard 2/1.
    # Answer: RockBeetle hits Phoenix -> 0: rebirth at 5 health; counter 5 -> RockBeetle -2, dead.
    # Invaders win: Phoenix 5/5, FireLizards 2/1, 2/2, 2/2.
    (
        "V02",
        ["Sapling", "StoneWarrior", "Sapling", "Sapling"],
        ["Phoenix", "FireLizard", "FireLizard", "FireLizard"],
        "B",
        [],
        [("Phoenix", 5, 5), ("FireLizard", 2, 1), ("FireLizard", 2, 2), ("FireLizard", 2, 2)],
    ),
    # V03 Taunt on both sides. 2 >= 2: Invaders first.
    # FireLizard 2/2 hits RockBeetle 1/5 (Taunt) -> 1/3, counter 1 -> FireLizard 2/1.
    # Answer: Sapling (leftmost) must hit LavaGolem 1/8 (Taunt): grows 2/3, hits -> 1/6, gets burn 3,
    # counter 1 -> 2/2. LavaGolem hits RockBeetle -> 1/2, counter 1 -> LavaGolem 1/5, RockBeetle burns 3.
    # Answer: Sapling grows 2/3, burns 3 -> 0 (still attacks), hits LavaGolem -> 1/3, counter 1 -> -1: dead.
    # Round 2: FireLizard hits RockBeetle -> 0; counter 1 kills FireLizard, whose deathrattle hits
    # RockBeetle for 2 more. Both removed; the defender line is empty: Invaders win with LavaGolem 1/3.
    ("V03", ["Sapling", "RockBeetle"], ["FireLizard", "LavaGolem"], "B", [], [("LavaGolem", 1, 3)]),
    # V04 The defenders must attack LavaGolem (Taunt) first. 3 < 4: Defenders first.
    # Sapling #1 grows 2/3, hits LavaGolem 1/8 -> 1/6 (Sapling gets burn 3), counter 1 -> 2/2.
    # Answer: FireLizard #1 hits Sapling #1 -> 0; counter 2 kills FireLizard, whose deathrattle hits
    # Sapling #1 for 2 more; both removed. Sapling #2 likewise: LavaGolem -> 1/4, then FireLizard #2 and
    # Sapling #2 trade. Sapling #3 grows 2/3, hits LavaGolem -> 1/2, counter 1 -> 2/2. Answer: LavaGolem
    # hits Sapling #3 -> 2/1, counter 2 -> LavaGolem 1/0, dead. Defenders win: Sapling 2/1, Sapling 2/2.
    (
        "V04",
        ["Sapling", "Sapling", "Sapling", "Sapling"],
        ["FireLizard", "FireLizard", "LavaGolem"],
        "A",
        [("Sapling", 2, 1), ("Sapling", 2, 2)],
        [],
    ),
    # V05 Splash at the end of the line has one neighbour. 3 >= 3: Invaders first.
    # Phoenix 5/5 hits RockBeetle 1/5 (Taunt, leftmost) -> 0, dead; splash 5 on Sapling #1 (its only
    # neighbour) -> -3, dead; Sapling #2 untouched. Counter 1 -> Phoenix 5/4.
    # Answer: Sapling #2 grows 2/3, hits Phoenix -> 5/2, counter 5 -> dead. Invaders win.
    # (v1: the cleave kills both Saplings at once; Phoenix 5/4.)
    (
        "V05",
        ["RockBeetle", "Sapling", "Sapling"],
        ["Phoenix", "FireLizard", "FireLizard"],
        "B",
        [],
        [("Phoenix", 5, 2), ("FireLizard", 2, 2), ("FireLizard", 2, 2)],
    ),
    # V06 Poison, Divine Shield and Taunt. EliteSoldier gives both RockBeetles a shield and +1 attack
    # (2/5). 3 >= 3: Invaders first. PoisonFrog #1 hits RockBeetle #1 (Taunt): the shield absorbs the
    # poison; counter 2 kills the frog. Answer: RockBeetle #1 kills PoisonFrog #2, whose poisonous counter
    # destroys it. PoisonFrog #3 must hit RockBeetle #2 (Taunt), not EliteSoldier: shield absorbs it,
    # counter 2 kills the frog. Defenders win: EliteSoldier 1/1, RockBeetle 2/5.
    # (v1: PoisonFrog #3 poisons the leftmost EliteSoldier instead; only RockBeetle 2/5 survives.)
    (
        "V06",
        ["RockBeetle", "EliteSoldier", "RockBeetle"],
        ["PoisonFrog", "PoisonFrog", "PoisonFrog"],
        "A",
        [("EliteSoldier", 1, 1), ("RockBeetle", 2, 5)],
        [],
    ),
    # V07 Gold Phoenix against a MountainGiant in the middle. 3 >= 3: Invaders first.
    # Phoenix*G 10/10 hits MountainGiant 4/9 (Taunt) -> -1, dead; the Giant drops Phoenix's attack by 2
    # -> 8 before the splash; splash 8 kills both neighbouring Saplings (2/2 -> -6). Counter 4 -> 8/6.
    # Every defender is gone: Invaders win.
    (
        "V07",
        ["Sapling", "MountainGiant", "Sapling"],
        ["Phoenix*G", "FireLizard", "FireLizard"],
        "B",
        [],
        [("Phoenix(G)", 8, 6), ("FireLizard", 2, 2), ("FireLizard", 2, 2)],
    ),
    # V08 Two Taunt minions: the leftmost Taunt is hit first, the other one next. 3 >= 3: Invaders first.
    # BattleFrenzy #1 7/4 hits RockBeetle 1/5 (leftmost Taunt) twice -> dead; attack 7 - 4 = 3; counter 1
    # -> 3/3. Answer: Sapling (leftmost) grows 2/3, hits BattleFrenzy #1 -> 3/1, counter 3 -> dead.
    # BattleFrenzy #2 hits StoneWarrior 2/5 twice -> dead, attack 3, counter 2 -> 3/2; the deathrattle adds
    # a RockBeetle 1/5. Answer: RockBeetle hits BattleFrenzy #1 -> 3/0, dead; counter 3 -> RockBeetle 1/2.
    # BattleFrenzy #3 hits RockBeetle -> dead, attack 3, counter 1 -> 3/3. Invaders win.
    (
        "V08",
        ["Sapling", "RockBeetle", "StoneWarrior"],
        ["BattleFrenzy", "BattleFrenzy", "BattleFrenzy"],
        "B",
        [],
        [("BattleFrenzy", 3, 2), ("BattleFrenzy", 3, 3)],
    ),
]


@pytest.mark.parametrize(("sid", "defenders", "invaders", "winner", "surv_a", "surv_b"), SCENARIOS)
def test_v2_reference_scenario(sid, defenders, invaders, winner, surv_a, surv_b):
    result = play(defenders, invaders, V2)
    assert result.winner == winner, sid
    assert survivors(result, "A") == surv_a, sid
    assert survivors(result, "B") == surv_b, sid


# The same plans under v1 (no Taunt, whole-line cleave), where the outcome differs.
V1_CONTRAST = {
    "V01": ("B", [], [("BanditLeader", 8, 1), ("FireLizard", 2, 2)]),
    "V05": ("B", [], [("Phoenix", 5, 4), ("FireLizard", 2, 2), ("FireLizard", 2, 2)]),
    "V06": ("A", [("RockBeetle", 2, 5)], []),
}


@pytest.mark.parametrize("sid", sorted(V1_CONTRAST))
def test_v1_plays_the_same_plans_differently(sid):
    _, defenders, invaders, *_ = next(s for s in SCENARIOS if s[0] == sid)
    winner, surv_a, surv_b = V1_CONTRAST[sid]
    result = play(defenders, invaders, V1)
    assert (result.winner, survivors(result, "A"), survivors(result, "B")) == (winner, surv_a, surv_b)


def test_v04_first_target_is_the_taunt_minion():
    log: list = []
    play(["Sapling", "Sapling", "Sapling", "Sapling"], ["FireLizard", "FireLizard", "LavaGolem"], V2, log)
    assert [(r["attacker"], r["target"]) for r in log[:2]] == [
        ("Sapling", "LavaGolem"),
        ("FireLizard", "Sapling"),
    ]
