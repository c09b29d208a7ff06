"""The v2 catalogue: v1's elements, multipliers and 36 skills, with the v2 changes applied.

Only what differs from v1 is written here (see ``docs/rulesets.md`` for each change and
its reason); every other skill is v1's :class:`~games.elemental_duel.catalogue.SkillSpec` unchanged, so
the engine can keep using v1's skill function for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from games.elemental_duel import catalogue as v1
from games.elemental_duel.catalogue import (
    ALL_ELEMENTS,
    ANGELIC_SANCTUARY,
    DEFENDER_ELEMENTS,
    FAITH_EMBLEM,
    FEAR_WHISPER,
    GRANITE_BARRIER,
    INVADER_ELEMENTS,
    LUMINOUS_DISPEL,
    MIN_DAMAGE,
    NEUTRAL_MULTIPLIER,
    SkillSpec,
)

#: Strong / weak elemental multipliers of v2 (v1: 1.2 / 0.8); Dark <-> Light stays at v1's 1.5.
STRONG = 1.5
WEAK = 0.5
_DL = v1.MULTIPLIERS["Dark"]["Light"]
#: Elemental multipliers that differ from 1.0 (attacker, target), the same pairs as v1.
_SPECIAL_MULTIPLIERS: dict[tuple[str, str], float] = {
    ("Fire", "Wood"): STRONG,
    ("Fire", "Earth"): WEAK,
    ("Water", "Wood"): WEAK,
    ("Water", "Earth"): STRONG,
    ("Dark", "Light"): _DL,
    ("Wood", "Fire"): WEAK,
    ("Wood", "Water"): STRONG,
    ("Earth", "Fire"): STRONG,
    ("Earth", "Water"): WEAK,
    ("Light", "Dark"): _DL,
}
MULTIPLIERS: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {a: {t: _SPECIAL_MULTIPLIERS.get((a, t), NEUTRAL_MULTIPLIER) for t in ALL_ELEMENTS} for a in ALL_ELEMENTS}
)

__all__ = [
    "ALL_ELEMENTS",
    "CHANGED",
    "DEFENDER_ELEMENTS",
    "INVADER_ELEMENTS",
    "LOST_PARTS",
    "MIN_DAMAGE",
    "MULTIPLIERS",
    "NEUTRAL_MULTIPLIER",
    "REDUCTIONS",
    "SKILLS",
    "SKILLS_BY_ELEMENT",
    "SKILL_LIST",
    "num",
]

#: final_announcement and earth_pulse count N = the whole 1/LOST_PARTS parts of max HP lost (tenths).
LOST_PARTS = 10

#: Per-hit damage reductions of v2 (v1's values unless changed).
REDUCTIONS: Mapping[str, float] = MappingProxyType(
    {
        FEAR_WHISPER: v1.REDUCTIONS[FEAR_WHISPER],
        GRANITE_BARRIER: v1.REDUCTIONS[GRANITE_BARRIER],
        FAITH_EMBLEM: v1.REDUCTIONS[FAITH_EMBLEM],
        LUMINOUS_DISPEL: v1.REDUCTIONS[LUMINOUS_DISPEL],
        ANGELIC_SANCTUARY: 20,
    }
)

_CAPPED = " (never above your max HP)"

#: The v2 changes: skill key -> (cost, text template, numbers). Heals stop at the character's max HP (its
#: starting HP), which the engine knows per character, so "max HP" appears in the texts, not a number.
_CHANGES: dict[str, tuple[int, str, dict[str, Any]]] = {
    "hell_curtain": (
        5,
        "Deal D({power}); then r = D({reflect_power}) computed now against the target, and you gain a "
        "Reflective Shield of r: from then on, after every action the opponent takes (against you), the "
        "opponent loses r HP. Never removed; stacks.",
        {"power": 45, "reflect_power": 10},
    ),
    "shadow_claw": (1, "Deal D({power}); you gain {heal} HP" + _CAPPED + ".", {"power": 14, "heal": 4}),
    "soul_siphon": (
        2,
        "Deal D({power} + {bonus}) = D({total}) if the target has less than half ({half} x) its max HP, else "
        "D({power}).",
        {"power": 30, "bonus": 25, "total": 55, "half": 0.5},
    ),
    "final_announcement": (
        4,
        "Deal D({power} + {per_step} x N), N = the number of whole tenths of its max HP the target has "
        "lost (N = 0 at full HP, so D({power}) against an unhurt target).",
        {"power": 55, "per_step": 8, "parts": LOST_PARTS},
    ),
    "life_totem": (
        2,
        "You gain {heal} HP" + _CAPPED + "; adds an inert Life Totem status to yourself.",
        {"heal": 30},
    ),
    "forest_reincarnation": (
        4,
        "You gain {heal} HP" + _CAPPED + "; then deal D({power}).",
        {"heal": 50, "power": 30},
    ),
    "earth_pulse": (
        4,
        "Deal D({per_step} x N), N = the number of whole tenths of YOUR max HP you have lost (no damage "
        "at all while N = 0, i.e. above nine tenths of your max HP). Adds an inert Earth Pulse Shield "
        "status to yourself.",
        {"per_step": 10, "parts": LOST_PARTS},
    ),
    "holy_glimmer": (
        1,
        "Remove from yourself only the first present of Fear Whisper, Ice Branded, Night Ambush, Parasitic "
        "Seed, Poison Vine, Quicksand Trap (all its instances); you gain {heal} HP" + _CAPPED + "; deal "
        "D({power}).",
        {"heal": 9, "power": 9},
    ),
    "angelic_sanctuary": (
        4,
        "You gain Angelic Sanctuary: {reduction} less damage per hit (stacks; never removed).",
        {"reduction": REDUCTIONS[ANGELIC_SANCTUARY]},
    ),
}

#: Keys of the skills whose v2 cost, text or numbers differ from v1.
CHANGED: frozenset[str] = frozenset(_CHANGES)

SKILL_LIST: tuple[SkillSpec, ...] = tuple(
    replace(s, cost=_CHANGES[s.key][0], text=_CHANGES[s.key][1], numbers=_CHANGES[s.key][2])
    if s.key in _CHANGES
    else s
    for s in v1.SKILL_LIST
)
SKILLS: Mapping[str, SkillSpec] = MappingProxyType({s.key: s for s in SKILL_LIST})
SKILLS_BY_ELEMENT: Mapping[str, tuple[str, ...]] = v1.SKILLS_BY_ELEMENT


def num(skill: str, name: str) -> float:
    """A number of a v2 skill (the engine binds its constants at import)."""
    return SKILLS[skill].numbers[name]
