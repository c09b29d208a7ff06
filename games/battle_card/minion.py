"""Battle card minions: behaviour kinds, per-catalogue starting states, and the slotted :class:`Minion`.

Abilities dispatch on an integer ``kind`` (see :mod:`games.battle_card.engine`); a unit runs the behaviour
named after it unless its :class:`~games.battle_card.catalogue.UnitSpec` names another (``behaviour``, used
by later rulesets). Every number a minion starts with comes from the catalogue it is built from.
"""

from __future__ import annotations

from typing import Any

from games.battle_card.catalogue import ALL_UNITS, GOLD_STAT_MULTIPLIER, UnitSpec

# Kinds with behaviour; every other unit is kind PLAIN.
(
    PLAIN,
    FIRE_LIZARD,
    WATER_ELEMENTAL,
    POISON_FROG,
    MOLTEN_HOUND,
    BATTLE_FRENZY,
    BANDIT_LEADER,
    LAVA_GOLEM,
    TIDE_GUARDIAN,
    TIDE_LORD,
    PHOENIX,
    SHADOW_OVERLORD,
    SAPLING,
    FOREST_SEER,
    STONE_WARRIOR,
    ELITE_SOLDIER,
    PALADIN,
    BLACK_ROCK,
    VINE_PROTECTOR,
    KING,
    MOUNTAIN_GIANT,
    ANCIENT_TREANT,
    PHOENIX_SPLASH,
    SHADOW_SUMMONER,
) = range(24)

_KIND_BY_NAME = {
    "FireLizard": FIRE_LIZARD,
    "WaterElemental": WATER_ELEMENTAL,
    "PoisonFrog": POISON_FROG,
    "MoltenHound": MOLTEN_HOUND,
    "BattleFrenzy": BATTLE_FRENZY,
    "BanditLeader": BANDIT_LEADER,
    "LavaGolem": LAVA_GOLEM,
    "TideGuardian": TIDE_GUARDIAN,
    "TideLord": TIDE_LORD,
    "Phoenix": PHOENIX,
    "ShadowOverlord": SHADOW_OVERLORD,
    "Sapling": SAPLING,
    "ForestSeer": FOREST_SEER,
    "StoneWarrior": STONE_WARRIOR,
    "EliteSoldier": ELITE_SOLDIER,
    "Paladin": PALADIN,
    "BlackRock": BLACK_ROCK,
    "VineProtector": VINE_PROTECTOR,
    "King": KING,
    "MountainGiant": MOUNTAIN_GIANT,
    "AncientTreant": ANCIENT_TREANT,
    # Behaviours of later rulesets (a unit picks one with ``UnitSpec.behaviour``).
    "PhoenixSplash": PHOENIX_SPLASH,
    "ShadowSummoner": SHADOW_SUMMONER,
}
# The one ability number each kind carries in ``Minion.val``: the Gold value (key + "_gold") for a Gold
# copy when the unit has one, else the key's value.
_VALUE_KEY = {
    FIRE_LIZARD: "damage",
    WATER_ELEMENTAL: "attack_gain",
    MOLTEN_HOUND: "damage",
    BATTLE_FRENZY: "attack_loss",
    LAVA_GOLEM: "burn",
    PHOENIX: "rebirth_health",
    PHOENIX_SPLASH: "rebirth_health",
    SHADOW_SUMMONER: "skeletons",
    SAPLING: "health_gain",
    FOREST_SEER: "buff",
    ELITE_SOLDIER: "attack_bonus",
    PALADIN: "attack_bonus",
    BLACK_ROCK: "health_per_ally",
    VINE_PROTECTOR: "heal",
    KING: "summon_below",
    MOUNTAIN_GIANT: "attack_drop",
    ANCIENT_TREANT: "buff",
}
DEATH_HOOK = frozenset((FIRE_LIZARD, MOLTEN_HOUND, PHOENIX, PHOENIX_SPLASH))


#: A minion's starting state: (kind, attack, health, shield, taunt, is Nature, ability number).
Template = tuple[int, int, int, bool, bool, bool, int]
#: Per catalogue (by id, with the catalogue kept alive beside its table): (name, is_gold) -> template.
_TEMPLATES: dict[int, tuple[dict[str, UnitSpec], dict[tuple[str, bool], Template]]] = {}


def _templates(units: dict[str, UnitSpec]) -> dict[tuple[str, bool], Template]:
    """The starting state of every unit of ``units`` in both tiers."""
    out: dict[tuple[str, bool], Template] = {}
    for name, spec in units.items():
        kind = _KIND_BY_NAME.get(spec.behaviour or name, PLAIN)
        key = _VALUE_KEY.get(kind)
        eff = spec.effects
        for gold in (False, True):
            mult = GOLD_STAT_MULTIPLIER if gold else 1
            val = 0 if key is None else eff.get(key + "_gold", eff[key]) if gold else eff[key]
            out[name, gold] = (
                kind,
                spec.attack * mult,
                spec.health * mult,
                spec.divine_shield,
                spec.taunt,
                spec.element == "Nature",
                val,
            )
    return out


class Minion:
    """One minion on a line. ``val`` is its (tier-scaled) ability number, ``gone`` marks removal.

    ``units`` is the catalogue it was built from (its summons come from there too) and ``taunt`` whether
    enemy attacks must target it first (only in rulesets whose catalogue gives Taunt).
    """

    __slots__ = (
        "atk",
        "burn",
        "enemies",
        "gold",
        "gone",
        "hp",
        "kind",
        "name",
        "nature",
        "reborn",
        "shield",
        "taunt",
        "units",
        "val",
    )

    def __init__(
        self, name: str, gold: bool, enemies: list[Minion], units: dict[str, UnitSpec] = ALL_UNITS
    ) -> None:
        table = _TEMPLATES.get(id(units))
        if table is None or table[0] is not units:
            table = _TEMPLATES[id(units)] = (units, _templates(units))
        (
            self.kind,
            self.atk,
            self.hp,
            self.shield,
            self.taunt,
            self.nature,
            self.val,
        ) = table[1][name, gold]
        self.name = name
        self.gold = gold
        self.burn = 0
        self.reborn = False
        self.gone = False
        self.enemies = enemies
        self.units = units

    def state(self) -> dict[str, Any]:
        """Snapshot for battle logs."""
        return {
            "name": self.name,
            "tier": "Gold" if self.gold else "Bronze",
            "attack": self.atk,
            "health": self.hp,
            "shield": self.shield,
            "burn": self.burn,
        }
