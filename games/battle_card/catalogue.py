"""Every battle card minion and number (spec §3.4, engine values): the single source of truth.

The engine reads its numbers from here and the rules text is formatted from here, so the two cannot drift.
Ability texts are templates over the unit's ``effects`` plus ``max_units`` (see :func:`ability_text`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Cost multiplier of a Gold copy.
GOLD_COST_MULTIPLIER = 3
#: Attack and health multiplier of a Gold copy (ability numbers scale only where the unit says so).
GOLD_STAT_MULTIPLIER = 2
#: Internal guard: more attacks than this in one battle means an engine bug (spec §3.9).
ATTACK_GUARD = 10_000

TIERS: tuple[str, str] = ("Bronze", "Gold")
DEFENDER = "defender"
INVADER = "invader"
TOKEN = "token"


@dataclass(frozen=True)
class UnitSpec:
    """One minion type.

    Attributes:
        name: Exact, case-sensitive name.
        side: ``defender``, ``invader`` or ``token`` (never buyable).
        cost: Base (Bronze) cost; Gold costs :data:`GOLD_COST_MULTIPLIER` times as much.
        element: Element; only ForestSeer's Nature filter looks at it.
        attack: Bronze attack (Gold doubles it).
        health: Bronze health (Gold doubles it).
        divine_shield: Starts with Divine Shield.
        has_gold: False for a unit that only ever exists as Bronze (the Soldier token).
        ability: Engine behaviour as a template over ``effects`` (see :func:`ability_text`).
        effects: The ability's numbers; a ``*_gold`` key is the Gold value of the key without the suffix,
            a key without a ``*_gold`` partner is the same for both tiers.
        taunt: Enemy attacks must target it first (only in rulesets that have Taunt).
        behaviour: The engine behaviour it runs when that is not the one named after it (later rulesets).
    """

    name: str
    side: str
    cost: int
    element: str
    attack: int
    health: int
    ability: str
    divine_shield: bool = False
    effects: dict[str, int] = field(default_factory=dict)
    has_gold: bool = True
    taunt: bool = False
    behaviour: str = ""


TABLE: tuple[tuple[str, str, int, str, int, int], ...] = (
    # name, side, cost (Bronze), element, attack, health (Bronze)
    ("FireLizard", INVADER, 1, "Fire", 2, 2),
    ("WaterElemental", INVADER, 1, "Water", 2, 2),
    ("PoisonFrog", INVADER, 2, "Water", 1, 1),
    ("MoltenHound", INVADER, 2, "Fire", 3, 1),
    ("BattleFrenzy", INVADER, 2, "Guardian", 7, 4),
    ("BanditLeader", INVADER, 3, "Rogue", 8, 3),
    ("LavaGolem", INVADER, 3, "Fire", 1, 8),
    ("TideGuardian", INVADER, 3, "Water", 4, 2),
    ("TideLord", INVADER, 4, "Water", 4, 10),
    ("Phoenix", INVADER, 4, "Fire", 5, 5),
    ("ShadowOverlord", INVADER, 4, "Rogue", 4, 4),
    ("Sapling", DEFENDER, 1, "Nature", 2, 2),
    ("RockBeetle", DEFENDER, 1, "Earth", 1, 5),
    ("ForestSeer", DEFENDER, 2, "Nature", 1, 2),
    ("StoneWarrior", DEFENDER, 2, "Earth", 2, 5),
    ("EliteSoldier", DEFENDER, 2, "Guardian", 1, 1),
    ("Paladin", DEFENDER, 3, "Guardian", 3, 6),
    ("BlackRock", DEFENDER, 3, "Earth", 2, 1),
    ("VineProtector", DEFENDER, 3, "Nature", 3, 4),
    ("King", DEFENDER, 4, "Guardian", 3, 12),
    ("MountainGiant", DEFENDER, 4, "Earth", 4, 9),
    ("AncientTreant", DEFENDER, 4, "Nature", 2, 3),
    ("SkeletonMinion", TOKEN, 0, "Rogue", 3, 1),
    ("Soldier", TOKEN, 0, "Guardian", 1, 1),
)
#: Ability numbers; a ``*_gold`` key is the Gold value of the key without the suffix, a key without a
#: ``*_gold`` partner holds for both tiers.
EFFECTS: dict[str, dict[str, int]] = {
    "FireLizard": {"damage": 2, "damage_gold": 4},
    "WaterElemental": {"attack_gain": 1, "attack_gain_gold": 2},
    "MoltenHound": {"damage": 1, "damage_gold": 2},
    "BattleFrenzy": {"attack_loss": 4, "attack_loss_gold": 8},
    "LavaGolem": {"burn": 3, "burn_gold": 6},
    "Phoenix": {"rebirth_health": 5},
    "Sapling": {"health_gain": 1, "health_gain_gold": 2},
    "ForestSeer": {"buff": 1, "buff_gold": 2},
    "EliteSoldier": {"attack_bonus": 1},
    "Paladin": {"attack_bonus": 2},
    "BlackRock": {"health_per_ally": 3},
    "VineProtector": {"heal": 2, "heal_gold": 4},
    "King": {"summon_below": 5},
    "MountainGiant": {"attack_drop": 2, "attack_drop_gold": 4},
    "AncientTreant": {"buff": 2, "buff_gold": 4},
}
SHIELDED = frozenset(("TideGuardian", "Paladin", "Soldier"))
_BRONZE_ONLY = frozenset(("Soldier",))
#: Engine behaviour as templates over the unit's effects plus ``max_units``.
ABILITIES: dict[str, str] = {
    "FireLizard": (
        "Deathrattle: when it dies from damage dealt by an enemy minion, that minion takes {damage} "
        "damage (Gold: {damage_gold})."
    ),
    "WaterElemental": (
        "Growth: at the start of each of its attacks it gains +{attack_gain} attack (Gold: "
        "+{attack_gain_gold}) before dealing damage."
    ),
    "PoisonFrog": (
        "Poisonous: any damage it deals (its attacks and the counter-damage it deals to minions attacking"
        " it) destroys the victim outright, unless the victim has Divine Shield (then only the shield is "
        "lost)."
    ),
    "MoltenHound": (
        "Deathrattle: when it dies, every minion of the enemy line (also ones that died in the same "
        "attack but are not removed yet) takes {damage} damage (Gold: {damage_gold})."
    ),
    "BattleFrenzy": (
        "Frenzy: each attack hits twice: the normal hit, then a second hit on the same target equal to "
        "its current attack; afterwards its attack drops by {attack_loss} (Gold: {attack_loss_gold}), "
        "never below zero."
    ),
    "BanditLeader": (
        "Carry-over: if its normal hit kills the target with excess damage, the excess damage hits the "
        "first minion of the enemy line other than the target."
    ),
    "LavaGolem": (
        "Burn: whenever an enemy minion deals damage to it (by attacking it, or as counter-damage when "
        "LavaGolem attacks that minion; even zero damage), that enemy's burn becomes {burn} (Gold: "
        "{burn_gold}); burn is replaced, never stacked. A burning minion takes its burn as damage (no "
        "source) at the start of each of its own attacks for the rest of the battle, and still completes "
        "the attack even if the burn kills it. No Taunt."
    ),
    "TideGuardian": (
        "Starts with Divine Shield. Each attack hits twice: the normal hit, then a second hit on the same"
        " target equal to its current attack."
    ),
    "TideLord": (
        "Berserk: every time damage reaches its health (even a hit for no damage; not a hit absorbed by "
        "Divine Shield) its attack doubles."
    ),
    "Phoenix": (
        "Cleave: after its normal hit, every other minion of the enemy line takes damage equal to its "
        "current attack. Rebirth: the first time it dies it immediately returns with {rebirth_health} "
        "health (Gold too), keeping its attack."
    ),
    "ShadowOverlord": (
        "Deathrattle: after it is removed, SkeletonMinions of its tier are added to the end of its line "
        "until the line holds {max_units} minions."
    ),
    "Sapling": (
        "Growth: at the start of each of its attacks it gains +{health_gain} health (Gold: "
        "+{health_gain_gold})."
    ),
    "RockBeetle": "No ability (no Taunt).",
    "ForestSeer": (
        "Start of battle: every other Nature minion of its line gains +{buff} attack and +{buff} health "
        "(Gold: +{buff_gold} and +{buff_gold})."
    ),
    "StoneWarrior": (
        "Deathrattle: after it is removed, a RockBeetle of its tier is added to the end of its line if "
        "the line holds fewer than {max_units} minions. No Taunt."
    ),
    "EliteSoldier": (
        "Start of battle: its left and right neighbours in the line each gain Divine Shield (if they lack"
        " it) and +{attack_bonus} attack (Gold too)."
    ),
    "Paladin": (
        "Starts with Divine Shield. Gains +{attack_bonus} attack (Gold too) whenever another minion of "
        "its line loses Divine Shield to an enemy's normal hit or to counter-damage (not to second hits, "
        "cleave, carry-over, deathrattles or burn, and never when the minion is a MountainGiant)."
    ),
    "BlackRock": (
        "Start of battle: gains {health_per_ally} health for every other minion of its line (Gold too)."
    ),
    "VineProtector": (
        "Every time damage reaches its health (even a hit for no damage) it heals itself {heal} (Gold: "
        "{heal_gold}) before the death check, so a hit kills it only if it leaves it at minus {heal} "
        "(Gold: minus {heal_gold}) or less before the heal."
    ),
    "King": (
        "After the normal hit of each of its attacks, if its line holds fewer than {summon_below} minions"
        " (counting ones that died in this attack but are not removed yet), a Soldier token is added to "
        "the end of its line (always Bronze)."
    ),
    "MountainGiant": (
        "Whenever an enemy minion damages it (even if the hit is absorbed by Divine Shield or kills it), "
        "that enemy's attack drops by {attack_drop} (Gold: {attack_drop_gold}), never below zero. A "
        "shield it loses never triggers Paladin. No Taunt."
    ),
    "AncientTreant": (
        "Start of battle: every other minion of its line gains +{buff} attack and +{buff} health (Gold: "
        "+{buff_gold} and +{buff_gold})."
    ),
    "SkeletonMinion": "Summoned by ShadowOverlord, with its tier. No ability.",
    "Soldier": "Summoned by King; always Bronze. Starts with Divine Shield. No ability.",
}


def build_roster(
    side: str,
    table: tuple[tuple[str, str, int, str, int, int], ...] = TABLE,
    effects: dict[str, dict[str, int]] = EFFECTS,
    abilities: dict[str, str] = ABILITIES,
    shielded: frozenset[str] = SHIELDED,
    taunt: frozenset[str] = frozenset(),
    behaviours: dict[str, str] | None = None,
) -> dict[str, UnitSpec]:
    """The units of ``side`` built from a ruleset's tables (ruleset v1's by default)."""
    return {
        name: UnitSpec(
            name,
            side,
            cost,
            element,
            attack,
            health,
            abilities[name],
            divine_shield=name in shielded,
            effects=dict(effects.get(name, {})),
            has_gold=name not in _BRONZE_ONLY,
            taunt=name in taunt,
            behaviour=(behaviours or {}).get(name, ""),
        )
        for name, s, cost, element, attack, health in table
        if s == side
    }


INVADERS: dict[str, UnitSpec] = build_roster(INVADER)
DEFENDERS: dict[str, UnitSpec] = build_roster(DEFENDER)
TOKENS: dict[str, UnitSpec] = build_roster(TOKEN)
#: Every minion type the engine can create, by name (RockBeetle tokens are plain RockBeetles).
ALL_UNITS: dict[str, UnitSpec] = {**INVADERS, **DEFENDERS, **TOKENS}


@dataclass(frozen=True)
class Catalogue:
    """One ruleset's units and rule switches: everything the engine, validator and rules text read.

    Attributes:
        ruleset: The ruleset's name (``v1``, ``v2``).
        defenders: The defenders' buyable units, by name, in catalogue order.
        invaders: The invaders' buyable units likewise.
        tokens: Units only abilities create.
        taunt: Whether attacks must target a Taunt minion first.
    """

    ruleset: str
    defenders: dict[str, UnitSpec]
    invaders: dict[str, UnitSpec]
    tokens: dict[str, UnitSpec]
    taunt: bool = False
    all_units: dict[str, UnitSpec] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "all_units", {**self.invaders, **self.defenders, **self.tokens})

    def roster(self, role: str) -> dict[str, UnitSpec]:
        """The buyable units of ``role`` (``defender`` or ``invader``)."""
        return self.defenders if role == DEFENDER else self.invaders


V1 = Catalogue("v1", DEFENDERS, INVADERS, TOKENS)


def roster(role: str, cat: Catalogue = V1) -> dict[str, UnitSpec]:
    """The buyable units of ``role`` (``defender`` or ``invader``) in ``cat`` (ruleset v1's by default)."""
    return cat.roster(role)


def unit_cost(spec: UnitSpec, tier: str) -> int:
    """Cost of one entry: base cost, times :data:`GOLD_COST_MULTIPLIER` for Gold."""
    return spec.cost * (GOLD_COST_MULTIPLIER if tier == "Gold" else 1)


def ability_text(spec: UnitSpec, max_units: int) -> str:
    """The unit's ability text with its numbers filled in."""
    return spec.ability.format(max_units=max_units, **spec.effects)


def unit_dict(spec: UnitSpec, max_units: int) -> dict[str, Any]:
    """JSON form of one unit for :func:`catalogue_dict`."""
    out: dict[str, Any] = {
        "cost": spec.cost,
        "element": spec.element,
        "attack": spec.attack,
        "health": spec.health,
        "divine_shield": spec.divine_shield,
        "effects": dict(spec.effects),
        "ability": ability_text(spec, max_units),
    }
    if spec.taunt:
        out["taunt"] = True
    if spec.has_gold:
        out["gold_cost"] = spec.cost * GOLD_COST_MULTIPLIER
        out["gold_attack"] = spec.attack * GOLD_STAT_MULTIPLIER
        out["gold_health"] = spec.health * GOLD_STAT_MULTIPLIER
    return out


def catalogue_dict(
    own_role: str, own_budget: int, opponent_budget: int, max_units: int, cat: Catalogue = V1
) -> dict[str, Any]:
    """Structured catalogue for a player of ``own_role``: own units, the opponent's, tokens, constants."""
    opp_role = INVADER if own_role == DEFENDER else DEFENDER
    out: dict[str, Any] = {
        "side": own_role,
        "budget": own_budget,
        "opponent_budget": opponent_budget,
        "max_units": max_units,
        "tiers": list(TIERS),
        "gold_cost_multiplier": GOLD_COST_MULTIPLIER,
        "gold_stat_multiplier": GOLD_STAT_MULTIPLIER,
        "units": {n: unit_dict(s, max_units) for n, s in cat.roster(own_role).items()},
        "opponent_units": {n: unit_dict(s, max_units) for n, s in cat.roster(opp_role).items()},
        "tokens": {n: unit_dict(s, max_units) for n, s in cat.tokens.items()},
    }
    return out
