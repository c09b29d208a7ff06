"""Ruleset v2 of battle card: ruleset v1's units with the changes that balance the game.

Every v2 number and ability text lives here (v1's tables plus the v2 overrides below), so the engine, the
validator and the rules text read one source of truth. Why each change was made, with the audit evidence,
is in ``docs/rulesets.md``.
"""

from __future__ import annotations

from games.battle_card import catalogue as v1
from games.battle_card.catalogue import DEFENDER, INVADER, TOKEN, Catalogue, UnitSpec

#: Units with Taunt (the original prompt gave them Taunt; the v1 engine never implemented it).
TAUNT_UNITS = frozenset(("RockBeetle", "StoneWarrior", "MountainGiant", "LavaGolem"))
#: Engine behaviours that differ from v1: Phoenix splashes the target's neighbours instead of cleaving.
BEHAVIOURS = {"Phoenix": "PhoenixSplash"}
#: v1's (name, side, cost, element, attack, health) rows with the v2 changes applied.
STAT_CHANGES: dict[str, tuple[int, str, int, int]] = {
    # (cost, element, attack, health): AncientTreant costs 5 instead of 4.
    "AncientTreant": (5, "Nature", 2, 3),
}
TABLE: tuple[tuple[str, str, int, str, int, int], ...] = tuple(
    (name, side, *STAT_CHANGES.get(name, (cost, element, attack, health)))
    for name, side, cost, element, attack, health in v1.TABLE
)
EFFECTS: dict[str, dict[str, int]] = dict(v1.EFFECTS)
_TAUNT = "Taunt: enemy attacks must target it before any minion without Taunt."
ABILITIES: dict[str, str] = {
    **v1.ABILITIES,
    "LavaGolem": v1.ABILITIES["LavaGolem"].replace("No Taunt.", "Taunt."),
    "Phoenix": (
        "Splash: after its normal hit, the minions directly beside the target in the enemy line (left and "
        "right) each take damage equal to its current attack. Rebirth: the first time it dies it "
        "immediately returns with {rebirth_health} health (Gold too), keeping its attack."
    ),
    "RockBeetle": _TAUNT + " No other ability.",
    "StoneWarrior": v1.ABILITIES["StoneWarrior"].replace("No Taunt.", "Taunt."),
    "Paladin": v1.ABILITIES["Paladin"].replace("cleave", "splash"),
    "MountainGiant": v1.ABILITIES["MountainGiant"].replace("No Taunt.", "Taunt."),
}


def _roster(side: str) -> dict[str, UnitSpec]:
    return v1.build_roster(side, TABLE, EFFECTS, ABILITIES, v1.SHIELDED, TAUNT_UNITS, BEHAVIOURS)


#: The v2 catalogue: units, tokens and the Taunt switch.
V2 = Catalogue("v2", _roster(DEFENDER), _roster(INVADER), _roster(TOKEN), taunt=True)
