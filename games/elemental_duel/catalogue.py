"""The single source of truth of the elemental duel: elements, multipliers, statuses, the 36 skills.

Every number the engine uses and the rules text mentions lives here (spec §4.4–4.7, engine values). The
skill texts are templates filled from each skill's own numbers, so the text cannot disagree with the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: Elements each role may field (exact case).
INVADER_ELEMENTS: tuple[str, ...] = ("Fire", "Water", "Dark")
DEFENDER_ELEMENTS: tuple[str, ...] = ("Wood", "Earth", "Light")
ALL_ELEMENTS: tuple[str, ...] = INVADER_ELEMENTS + DEFENDER_ELEMENTS

#: Elemental multipliers that differ from 1.0 (attacker -> target -> multiplier), spec §4.4.
_SPECIAL_MULTIPLIERS: dict[tuple[str, str], float] = {
    ("Fire", "Wood"): 1.2,
    ("Fire", "Earth"): 0.8,
    ("Water", "Wood"): 0.8,
    ("Water", "Earth"): 1.2,
    ("Dark", "Light"): 1.5,
    ("Wood", "Fire"): 0.8,
    ("Wood", "Water"): 1.2,
    ("Earth", "Fire"): 1.2,
    ("Earth", "Water"): 0.8,
    ("Light", "Dark"): 1.5,
}
NEUTRAL_MULTIPLIER = 1.0
MULTIPLIERS: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {a: {t: _SPECIAL_MULTIPLIERS.get((a, t), NEUTRAL_MULTIPLIER) for t in ALL_ELEMENTS} for a in ALL_ELEMENTS}
)

# --------------------------------------------------------------------------- engine constants
#: Heals stop at this HP; several skills compare HP against it (spec §4.7).
HP_CAP = 999999
#: A damaging hit always removes at least this much HP (spec §4.5).
MIN_DAMAGE = 1
#: The "lost fraction" step of final_announcement and earth_pulse (a lost fraction / 0.1).
LOST_STEP = 0.1

FEAR_WHISPER = "Fear Whisper"
GRANITE_BARRIER = "Granite Barrier"
FAITH_EMBLEM = "Faith Emblem"
LUMINOUS_DISPEL = "Luminous Dispel"
ANGELIC_SANCTUARY = "Angelic Sanctuary"
REFLECTIVE_SHIELD = "Reflective Shield"
ROCK_ARMOR = "Rock Armor"
PARASITIC_SEED = "Parasitic Seed"
ICE_BRANDED = "Ice Branded"
NIGHT_AMBUSH = "Night Ambush"
POISON_VINE = "Poison Vine"
QUICKSAND_TRAP = "Quicksand Trap"
LIFE_TOTEM = "Life Totem"
EARTH_PULSE_SHIELD = "Earth Pulse Shield"
BURNING = "Burning"
TIDAL_SURGE = "Tidal Surge"

#: Damage each instance of these statuses takes off every hit its carrier receives (spec §4.6).
REDUCTIONS: Mapping[str, float] = MappingProxyType(
    {FEAR_WHISPER: 0.1, GRANITE_BARRIER: 0.45, FAITH_EMBLEM: 0.2, LUMINOUS_DISPEL: 0.2, ANGELIC_SANCTUARY: 40}
)
#: natural_purification removes all of these from its caster; holy_glimmer only the first present.
CLEANSE_ORDER: tuple[str, ...] = (
    FEAR_WHISPER,
    ICE_BRANDED,
    NIGHT_AMBUSH,
    PARASITIC_SEED,
    POISON_VINE,
    QUICKSAND_TRAP,
)
#: luminous_dispel removes from its target the first present of these.
DISPEL_ORDER: tuple[str, ...] = (LIFE_TOTEM, GRANITE_BARRIER, FAITH_EMBLEM, EARTH_PULSE_SHIELD, ROCK_ARMOR)


@dataclass(frozen=True)
class SkillSpec:
    """One skill of the catalogue.

    Attributes:
        key: The exact snake_case name a plan must use.
        element: The catalogue section (and so the element of the characters allowed to use it).
        cost: Budget cost of listing it once.
        numbers: The numbers its engine effect uses (also the values of the text template's fields).
        text: Engine behaviour, a ``str.format`` template over ``numbers``.
    """

    key: str
    element: str
    cost: int
    text: str
    numbers: Mapping[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        """The engine behaviour with its numbers filled in."""
        return self.text.format(**self.numbers)


_FA_MAX = 99999  # highest HP for which final_announcement / earth_pulse reach 9 steps (documented only)

SKILL_LIST: tuple[SkillSpec, ...] = (
    # ---------------------------------------------------------------- Fire (invader)
    SkillSpec(
        "flame_splash",
        "Fire",
        1,
        "Deal D({power}); the target gains Burning ({layers} layer).",
        {"power": 12, "layers": 1},
    ),
    SkillSpec("residual_warmth", "Fire", 1, "No effect (adds an inert status to yourself)."),
    SkillSpec(
        "burst_flame_bomb",
        "Fire",
        2,
        "Deal D({power} + {per_layer} x BL), BL = the target's total Burning layers.",
        {"power": 25, "per_layer": 4},
    ),
    SkillSpec(
        "flame_whirlwind", "Fire", 3, "The target gains Burning ({layers} layers); no damage.", {"layers": 5}
    ),
    SkillSpec(
        "magma_eruption",
        "Fire",
        4,
        "Deal D({power} + {per_layer} x BL) (BL counted first); then remove all Burning from the target.",
        {"power": 50, "per_layer": 8},
    ),
    SkillSpec(
        "hell_curtain",
        "Fire",
        5,
        "Deal D({power}); then r = D({reflect_power}) computed now against the target, and you gain a "
        "Reflective Shield of r: from then on, after every action the opponent takes (against you), the "
        "opponent loses r HP. Never removed; stacks.",
        {"power": 45, "reflect_power": 50},
    ),
    # ---------------------------------------------------------------- Water (invader)
    SkillSpec(
        "stream_pierce",
        "Water",
        1,
        "Deal D({power}); you gain {layers} Tidal Surge layer (TS).",
        {"power": 10, "layers": 1},
    ),
    SkillSpec("water_barrier", "Water", 1, "No effect (adds an inert status to yourself; no Tidal Surge)."),
    SkillSpec(
        "whirlpool_strangle",
        "Water",
        2,
        "Deal D({power} + {per_layer} x TS), TS = your Tidal Surge layers.",
        {"power": 20, "per_layer": 6},
    ),
    SkillSpec(
        "ice_branded",
        "Water",
        3,
        "Deal D({power}); the target gains an inert Ice Branded status.",
        {"power": 20},
    ),
    SkillSpec(
        "tsunami_ending",
        "Water",
        4,
        "Deal D({power} + {per_layer} x TS) (TS counted first); then remove all your Tidal Surge.",
        {"power": 40, "per_layer": 8},
    ),
    SkillSpec(
        "abyss_resonance",
        "Water",
        5,
        "Deal D({per_layer} x TS) (so at least {min_damage} damage even with no TS); your TS is kept.",
        {"per_layer": 5, "min_damage": MIN_DAMAGE},
    ),
    # ---------------------------------------------------------------- Dark (invader)
    SkillSpec(
        "shadow_claw", "Dark", 1, "Deal D({power}); you gain {heal} HP (no cap).", {"power": 14, "heal": 4}
    ),
    SkillSpec(
        "fear_whisper",
        "Dark",
        1,
        "The target gains Fear Whisper, so it takes {reduction} LESS damage per hit (a small benefit to "
        "the target); no damage.",
        {"reduction": REDUCTIONS[FEAR_WHISPER]},
    ),
    SkillSpec(
        "soul_siphon",
        "Dark",
        2,
        "Deal D({power} + {bonus}) = D({total}) if the target has less than {half_cap} HP (always, in "
        "practice), else D({power}).",
        {"power": 30, "bonus": 25, "half_cap": HP_CAP / 2, "total": 55},
    ),
    SkillSpec(
        "night_ambush",
        "Dark",
        3,
        "Deal D({power}); the target gains an inert Night Ambush status.",
        {"power": 25},
    ),
    SkillSpec(
        "final_announcement",
        "Dark",
        4,
        "Deal D({power} + {per_step} x N), N = trunc(lost / {step}) where lost = ({hp_cap} - target HP) / "
        "{hp_cap}; that is D({total}) for any target HP from {min_damage} to {max_hp}.",
        {
            "power": 55,
            "per_step": 8,
            "step": LOST_STEP,
            "hp_cap": HP_CAP,
            "total": 127,
            "min_damage": MIN_DAMAGE,
            "max_hp": _FA_MAX,
        },
    ),
    SkillSpec(
        "void_assimilation",
        "Dark",
        5,
        "s = trunc(your HP x {self_fraction}); you lose s HP; then deal D(trunc({factor} x s)) "
        "(multiplier and reductions apply).",
        {"self_fraction": 0.25, "factor": 2.5},
    ),
    # ---------------------------------------------------------------- Wood (defender)
    SkillSpec("bud_healing", "Wood", 1, "No effect (adds an inert status to yourself)."),
    SkillSpec(
        "parasitic_seed",
        "Wood",
        1,
        "Deal D({power}); then c = D({seed_power}) computed now, and the target gains a Parasitic Seed of "
        "c: after every action the target takes, it loses c HP. Stacks; removed only by "
        "natural_purification or holy_glimmer cast by its carrier.",
        {"power": 10, "seed_power": 5},
    ),
    SkillSpec(
        "life_totem",
        "Wood",
        2,
        "You gain {heal} HP (up to {hp_cap}); adds an inert Life Totem status to yourself.",
        {"heal": 30, "hp_cap": HP_CAP},
    ),
    SkillSpec(
        "natural_purification",
        "Wood",
        3,
        "Remove from yourself every Fear Whisper, Ice Branded, Night Ambush, Parasitic Seed, Poison Vine "
        "and Quicksand Trap; then deal D({power}).",
        {"power": 40},
    ),
    SkillSpec(
        "forest_reincarnation",
        "Wood",
        4,
        "You gain {heal} HP (up to {hp_cap}); then deal D({power}).",
        {"heal": 80, "hp_cap": HP_CAP, "power": 30},
    ),
    SkillSpec("poison_vine", "Wood", 5, "No HP effect: the target gains an inert Poison Vine status."),
    # ---------------------------------------------------------------- Earth (defender)
    SkillSpec(
        "rock_armor",
        "Earth",
        1,
        "r = D({reflect_power}) computed now against the target; you gain Rock Armor r: after every "
        "action the opponent takes (against you), the opponent loses r HP. Stacks; no damage.",
        {"reflect_power": 8},
    ),
    SkillSpec("earth_shock", "Earth", 1, "Deal D({power}).", {"power": 20}),
    SkillSpec(
        "granite_barrier",
        "Earth",
        2,
        "You gain Granite Barrier: you take {reduction} less damage per hit (stacks).",
        {"reduction": REDUCTIONS[GRANITE_BARRIER]},
    ),
    SkillSpec("quicksand_trap", "Earth", 3, "No HP effect: the target gains an inert Quicksand Trap status."),
    SkillSpec(
        "earth_pulse",
        "Earth",
        4,
        "Deal D({per_step} x N), N = trunc(lost / {step}) where lost = ({hp_cap} - YOUR HP) / {hp_cap} "
        "(no damage if N = 0); that is D({total}) for any HP of yours from {min_damage} to {max_hp}. "
        "Adds an inert Earth Pulse Shield status to yourself.",
        {
            "per_step": 10,
            "step": LOST_STEP,
            "hp_cap": HP_CAP,
            "total": 90,
            "min_damage": MIN_DAMAGE,
            "max_hp": _FA_MAX,
        },
    ),
    SkillSpec("core_rebound", "Earth", 5, "No effect."),
    # ---------------------------------------------------------------- Light (defender)
    SkillSpec(
        "holy_glimmer",
        "Light",
        1,
        "Remove from yourself only the first present of Fear Whisper, Ice Branded, Night Ambush, Parasitic "
        "Seed, Poison Vine, Quicksand Trap (all its instances); you gain {heal} HP; deal D({power}).",
        {"heal": 9, "power": 9},
    ),
    SkillSpec(
        "faith_emblem",
        "Light",
        1,
        "You gain Faith Emblem: {reduction} less damage per hit, until the end of the opponent's next "
        "action (which removes every Faith Emblem).",
        {"reduction": REDUCTIONS[FAITH_EMBLEM]},
    ),
    SkillSpec("divine_link", "Light", 2, "No effect."),
    SkillSpec(
        "luminous_dispel",
        "Light",
        3,
        "Remove from the target the first present of Life Totem, Granite Barrier, Faith Emblem, Earth "
        "Pulse Shield, Rock Armor (all its instances); then the target gains Luminous Dispel, so it takes "
        "{reduction} LESS damage per hit (a small benefit to the target). Stacks; never removed.",
        {"reduction": REDUCTIONS[LUMINOUS_DISPEL]},
    ),
    SkillSpec(
        "angelic_sanctuary",
        "Light",
        4,
        "You gain Angelic Sanctuary: {reduction} less damage per hit (stacks; never removed).",
        {"reduction": REDUCTIONS[ANGELIC_SANCTUARY]},
    ),
    SkillSpec("divine_sword", "Light", 5, "Deal D({power}).", {"power": 35}),
)

SKILLS: Mapping[str, SkillSpec] = MappingProxyType({s.key: s for s in SKILL_LIST})
SKILLS_BY_ELEMENT: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {el: tuple(s.key for s in SKILL_LIST if s.element == el) for el in ALL_ELEMENTS}
)


def num(skill: str, name: str) -> float:
    """A number of a skill (used by the engine to bind its constants at import)."""
    return SKILLS[skill].numbers[name]
