"""Spec §6.2 reference scenarios B01–B10 and the B02 step-by-step checkpoint."""

import pytest
from bc_helpers import GAME, entries, line, play, survivors

# (id, defenders, invaders, winner, simultaneous, defender survivors, invader survivors)
SCENARIOS = [
    ("B01", ["RockBeetle"], ["FireLizard"], "B", True, [], []),
    (
        "B02",
        ["RockBeetle", "EliteSoldier", "Paladin", "MountainGiant"],
        ["FireLizard", "LavaGolem", "Phoenix*G"],
        "B",
        False,
        [],
        [("Phoenix(G)", 8, 8)],
    ),
    (
        "B03",
        ["King", "StoneWarrior", "VineProtector"],
        ["BanditLeader", "TideLord", "ShadowOverlord"],
        "B",
        False,
        [],
        [("ShadowOverlord", 4, 3)],
    ),
    (
        "B04",
        ["Sapling", "ForestSeer*G", "BlackRock", "AncientTreant"],
        ["BattleFrenzy", "TideGuardian", "PoisonFrog", "MoltenHound", "WaterElemental"],
        "B",
        True,
        [],
        [],
    ),
    (
        "B05",
        ["MountainGiant", "King", "Paladin", "EliteSoldier", "AncientTreant"],
        ["ShadowOverlord", "Phoenix", "TideLord", "BanditLeader", "FireLizard", "WaterElemental"],
        "A",
        False,
        [("Soldier", 1, 1)],
        [],
    ),
    (
        "B06",
        [
            "StoneWarrior*G",
            "EliteSoldier",
            "VineProtector",
            "Sapling",
            "RockBeetle",
            "ForestSeer",
            "BlackRock",
        ],
        ["LavaGolem", "TideGuardian*G", "MoltenHound", "PoisonFrog"],
        "A",
        False,
        [
            ("Sapling", 3, 2),
            ("RockBeetle", 1, 4),
            ("ForestSeer", 1, 1),
            ("BlackRock", 2, 18),
            ("RockBeetle(G)", 2, 9),
        ],
        [],
    ),
    (
        "B07",
        ["Paladin", "King", "AncientTreant", "MountainGiant"],
        ["TideLord*G", "Phoenix", "BattleFrenzy"],
        "B",
        False,
        [],
        [("Phoenix", 5, 3), ("BattleFrenzy", 7, 4)],
    ),
    ("B09", [], ["FireLizard"], "B", False, [], [("FireLizard", 2, 2)]),
]


@pytest.mark.parametrize(("sid", "defs", "invs", "winner", "simul", "surv_a", "surv_b"), SCENARIOS)
def test_reference_scenario(sid, defs, invs, winner, simul, surv_a, surv_b):
    result = play(defs, invs)
    assert result.winner == winner
    assert result.summary["result"] == ("Invaders win" if winner == "B" else "Defenders win")
    assert result.summary["simultaneous"] is simul
    assert survivors(result, "A") == surv_a
    assert survivors(result, "B") == surv_b


def test_b09_has_no_battle():
    assert play([], ["FireLizard"]).summary["attacks"] == 0


def test_b08_eighth_invader_is_a_violation_and_the_first_seven_fight():
    listed = entries(
        "FireLizard",
        "WaterElemental",
        "MoltenHound",
        "PoisonFrog",
        "BattleFrenzy",
        "TideGuardian",
        "BanditLeader",
        "ShadowOverlord",
    )
    vb = GAME.validate("B", {"invaders": listed})
    assert [(v.code, v.index, v.field) for v in vb.violations] == [("too_many_entries", 7, None)]
    assert vb.plan == {"invaders": listed[:7]}
    assert vb.cost == 1 + 1 + 2 + 2 + 2 + 3 + 3
    va = GAME.validate("A", {"defenders": entries("King*G", "Paladin*G")})
    assert va.ok and va.cost == 12 + 9
    result = GAME.simulate(va, vb)
    assert result.winner == "B"
    assert result.summary["simultaneous"] is False
    assert [(s["name"], s["attack"], s["health"]) for s in result.summary["survivors"]["B"]] == [
        ("TideGuardian", 4, 1),
        ("BanditLeader", 8, 3),
    ]
    assert result.summary["survivors"]["A"] == []


def test_b10_loopholes_are_validation_errors():
    submitted = {
        "defenders": [{"name": "rockbeetle"}, {"name": "Sapling", "tier": "gold"}],
        "target_priority_for_defenders": ["FireLizard"],
    }
    va = GAME.validate("A", submitted)
    assert [(v.code, v.index, v.field) for v in va.violations] == [
        ("unknown_unit", 0, "name"),
        ("bad_tier", 1, "tier"),
    ]
    assert "RockBeetle" in va.violations[0].message  # the case-sensitivity hint names the right spelling
    assert va.plan == {"defenders": []}
    assert va.cost == 0
    vb = GAME.validate("B", {"invaders": [{"name": "FireLizard"}]})
    assert vb.ok and vb.cost == 1
    result = GAME.simulate(va, vb)
    # With both defender entries rejected there is no battle: the empty defender line loses.
    assert result.winner == "B"
    assert result.summary["attacks"] == 0
    assert result.summary["survivors"] == {
        "A": [],
        "B": [{"name": "FireLizard", "tier": "Bronze", "attack": 2, "health": 2}],
    }


def test_b02_checkpoint_step_by_step():
    log: list = []
    result = play(
        ["RockBeetle", "EliteSoldier", "Paladin", "MountainGiant"],
        ["FireLizard", "LavaGolem", "Phoenix*G"],
        log=log,
    )
    assert result.summary["attacks"] == len(log) == 6
    assert [(r["side"], r["attacker"], r["target"]) for r in log] == [
        ("A", "RockBeetle", "FireLizard"),
        ("B", "LavaGolem", "RockBeetle"),
        ("A", "EliteSoldier", "LavaGolem"),
        ("B", "LavaGolem", "RockBeetle"),
        ("A", "Paladin", "LavaGolem"),
        ("B", "Phoenix", "RockBeetle"),
    ]
    # 1: FireLizard dies; its deathrattle pops RockBeetle's shield (Paladin stays 4: no team context);
    #    counter 2 -> RockBeetle 2/3.
    assert line(log[0], "A") == [
        ("RockBeetle", 2, 3, False, 0),
        ("EliteSoldier", 1, 1, False, 0),
        ("Paladin", 4, 6, True, 0),
        ("MountainGiant", 4, 9, False, 0),
    ]
    assert line(log[0], "B") == [("LavaGolem", 1, 8, False, 0), ("Phoenix", 10, 10, False, 0)]
    # Response: LavaGolem hits RockBeetle (2/2), takes 2 (1/6), RockBeetle burns 3.
    assert line(log[1], "A")[0] == ("RockBeetle", 2, 2, False, 3)
    assert line(log[1], "B")[0] == ("LavaGolem", 1, 6, False, 0)
    # 2: EliteSoldier hits LavaGolem (1/5), gets burn, dies to the counter.
    assert [m[0] for m in line(log[2], "A")] == ["RockBeetle", "Paladin", "MountainGiant"]
    assert line(log[2], "B")[0] == ("LavaGolem", 1, 5, False, 0)
    # Response: LavaGolem hits RockBeetle (2/1), takes 2 (1/3).
    assert line(log[3], "A")[0] == ("RockBeetle", 2, 1, False, 3)
    assert line(log[3], "B")[0] == ("LavaGolem", 1, 3, False, 0)
    # 3: Paladin kills LavaGolem, gets burn; the counter pops its own shield.
    assert line(log[4], "A")[1] == ("Paladin", 4, 6, False, 3)
    assert line(log[4], "B") == [("Phoenix", 10, 10, False, 0)]
    # Response: Phoenix kills RockBeetle, cleaves Paladin and MountainGiant (-2 attack), counter 2 -> 8/8.
    assert line(log[5], "A") == []
    assert line(log[5], "B") == [("Phoenix", 8, 8, False, 0)]
