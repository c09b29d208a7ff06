"""The 36 skills as engine functions ``skill(actor, target, m)`` (spec §4.5, §4.7).

``m`` is the elemental multiplier actor → target, fixed for a whole duel. Every number comes from the
catalogue (bound once at import). The damage function D is written out inline in each skill because it runs
on almost every action: ``d = trunc(P × m) − R`` (R = the target's reduction sum, see ``Fighter``), raised
to ``MIN_DAMAGE``, then subtracted from the target's HP.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from games.elemental_duel import catalogue as cat
from games.elemental_duel.catalogue import num
from games.elemental_duel.fighter import Fighter, SkillFn

_MIN = cat.MIN_DAMAGE
_CAP = cat.HP_CAP
_STEP = cat.LOST_STEP


def _hit(t: Fighter, power: float, m: float) -> None:
    """target.hp -= D(actor, target, power) — for the rarer skills; hot skills inline it."""
    if power < 0:
        power = 0
    d = int(power * m) - t.R
    t.hp -= d if d >= _MIN else _MIN


def _d(t: Fighter, power: float, m: float) -> float:
    """D(actor, target, power) without applying it (reflect and seed amounts)."""
    d = int(power * m) - t.R
    return d if d >= _MIN else _MIN


def _steps(hp: float) -> int:
    """trunc(lost fraction / 0.1) with lost = (HP_CAP − hp) / HP_CAP (final_announcement, earth_pulse)."""
    return int(((_CAP - hp) / _CAP) / _STEP)


# ------------------------------------------------------------------------------------------------ Fire
_FS, _FS_L = num("flame_splash", "power"), int(num("flame_splash", "layers"))
_BFB, _BFB_K = num("burst_flame_bomb", "power"), num("burst_flame_bomb", "per_layer")
_FW_L = int(num("flame_whirlwind", "layers"))
_ME, _ME_K = num("magma_eruption", "power"), num("magma_eruption", "per_layer")
_HC, _HC_R = num("hell_curtain", "power"), num("hell_curtain", "reflect_power")


def flame_splash(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int(_FS * m) - t.R
    t.hp -= d if d >= _MIN else _MIN
    t.burn += _FS_L


def residual_warmth(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    return None


def burst_flame_bomb(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int((_BFB + _BFB_K * t.burn) * m) - t.R
    t.hp -= d if d >= _MIN else _MIN


def flame_whirlwind(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    t.burn += _FW_L


def magma_eruption(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int((_ME + _ME_K * t.burn) * m) - t.R
    t.hp -= d if d >= _MIN else _MIN
    t.burn = 0


def hell_curtain(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int(_HC * m) - t.R
    t.hp -= d if d >= _MIN else _MIN
    a.add_ordered(cat.REFLECTIVE_SHIELD, _d(t, _HC_R, m))


# ----------------------------------------------------------------------------------------------- Water
_SP, _SP_L = num("stream_pierce", "power"), int(num("stream_pierce", "layers"))
_WS, _WS_K = num("whirlpool_strangle", "power"), num("whirlpool_strangle", "per_layer")
_IB = num("ice_branded", "power")
_TE, _TE_K = num("tsunami_ending", "power"), num("tsunami_ending", "per_layer")
_AR_K = num("abyss_resonance", "per_layer")


def stream_pierce(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int(_SP * m) - t.R
    t.hp -= d if d >= _MIN else _MIN
    a.ts += _SP_L


def water_barrier(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    return None


def whirlpool_strangle(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int((_WS + _WS_K * a.ts) * m) - t.R
    t.hp -= d if d >= _MIN else _MIN


def ice_branded(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int(_IB * m) - t.R
    t.hp -= d if d >= _MIN else _MIN
    t.flags.add(cat.ICE_BRANDED)


def tsunami_ending(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int((_TE + _TE_K * a.ts) * m) - t.R
    t.hp -= d if d >= _MIN else _MIN
    a.ts = 0


def abyss_resonance(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int(_AR_K * a.ts * m) - t.R
    t.hp -= d if d >= _MIN else _MIN


# ------------------------------------------------------------------------------------------------ Dark
_SC, _SC_H = num("shadow_claw", "power"), num("shadow_claw", "heal")
_FWH = num("fear_whisper", "reduction")
_SS, _SS_B, _SS_HALF = (
    num("soul_siphon", "power"),
    num("soul_siphon", "bonus"),
    num("soul_siphon", "half_cap"),
)
_NA = num("night_ambush", "power")
_FA, _FA_K = num("final_announcement", "power"), num("final_announcement", "per_step")
_VA_F, _VA_K = num("void_assimilation", "self_fraction"), num("void_assimilation", "factor")


def shadow_claw(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int(_SC * m) - t.R
    t.hp -= d if d >= _MIN else _MIN
    a.hp += _SC_H


def fear_whisper(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    t.add_ordered(cat.FEAR_WHISPER, _FWH)


def soul_siphon(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    power = _SS + _SS_B if t.hp < _SS_HALF else _SS
    d = int(power * m) - t.R
    t.hp -= d if d >= _MIN else _MIN


def night_ambush(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int(_NA * m) - t.R
    t.hp -= d if d >= _MIN else _MIN
    t.flags.add(cat.NIGHT_AMBUSH)


def final_announcement(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    _hit(t, _FA + _FA_K * _steps(t.hp), m)


def void_assimilation(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    s = int(a.hp * _VA_F)
    a.hp -= s
    _hit(t, int(_VA_K * s), m)


# ------------------------------------------------------------------------------------------------ Wood
_PS, _PS_C = num("parasitic_seed", "power"), num("parasitic_seed", "seed_power")
_LT_H = num("life_totem", "heal")
_NP = num("natural_purification", "power")
_FR_H, _FR = num("forest_reincarnation", "heal"), num("forest_reincarnation", "power")


def bud_healing(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    return None


def parasitic_seed(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int(_PS * m) - t.R
    t.hp -= d if d >= _MIN else _MIN
    t.seeds.append(_d(t, _PS_C, m))


def life_totem(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    hp = a.hp + _LT_H
    a.hp = hp if hp < _CAP else _CAP
    a.flags.add(cat.LIFE_TOTEM)


def natural_purification(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    a.remove_ordered(cat.FEAR_WHISPER)
    a.seeds = []
    a.flags.difference_update(cat.CLEANSE_ORDER)
    d = int(_NP * m) - t.R
    t.hp -= d if d >= _MIN else _MIN


def forest_reincarnation(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    hp = a.hp + _FR_H
    a.hp = hp if hp < _CAP else _CAP
    d = int(_FR * m) - t.R
    t.hp -= d if d >= _MIN else _MIN


def poison_vine(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    t.flags.add(cat.POISON_VINE)


# ----------------------------------------------------------------------------------------------- Earth
_RA = num("rock_armor", "reflect_power")
_ES = num("earth_shock", "power")
_GB = num("granite_barrier", "reduction")
_EP_K = num("earth_pulse", "per_step")


def rock_armor(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    a.add_ordered(cat.ROCK_ARMOR, _d(t, _RA, m))


def earth_shock(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int(_ES * m) - t.R
    t.hp -= d if d >= _MIN else _MIN


def granite_barrier(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    a.add_ordered(cat.GRANITE_BARRIER, _GB)


def quicksand_trap(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    t.flags.add(cat.QUICKSAND_TRAP)


def earth_pulse(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    steps = _steps(a.hp)
    if steps != 0:
        _hit(t, _EP_K * steps, m)
    a.flags.add(cat.EARTH_PULSE_SHIELD)


def core_rebound(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    return None


# ----------------------------------------------------------------------------------------------- Light
_HG_H, _HG = num("holy_glimmer", "heal"), num("holy_glimmer", "power")
_FE = num("faith_emblem", "reduction")
_LD = num("luminous_dispel", "reduction")
_AS = num("angelic_sanctuary", "reduction")
_DS = num("divine_sword", "power")


def _cleanse_first(a: Fighter) -> None:
    """Remove the first present of the cleanse list from ``a`` (holy_glimmer)."""
    for name in cat.CLEANSE_ORDER:
        if name == cat.FEAR_WHISPER:
            if a.remove_ordered(name):
                return
        elif name == cat.PARASITIC_SEED:
            if a.seeds:
                a.seeds = []
                return
        elif name in a.flags:
            a.flags.discard(name)
            return


def holy_glimmer(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    _cleanse_first(a)
    a.hp += _HG_H
    d = int(_HG * m) - t.R
    t.hp -= d if d >= _MIN else _MIN


def faith_emblem(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    a.add_ordered(cat.FAITH_EMBLEM, _FE)


def divine_link(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    # Divine Link is added and removed like Faith Emblem but nothing ever reads it.
    return None


def luminous_dispel(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    for name in cat.DISPEL_ORDER:
        if name in t.flags:
            t.flags.discard(name)
            break
        if t.remove_ordered(name):
            break
    t.add_ordered(cat.LUMINOUS_DISPEL, _LD)


def angelic_sanctuary(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    a.add_ordered(cat.ANGELIC_SANCTUARY, _AS)


def divine_sword(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    d = int(_DS * m) - t.R
    t.hp -= d if d >= _MIN else _MIN


SKILL_FUNCTIONS: Mapping[str, SkillFn] = MappingProxyType({key: globals()[key] for key in cat.SKILLS})

#: Skills that can never take HP from anyone (no damage, no reflect, no seed); used by the stall detector.
#: Of these only life_totem changes HP at all (a heal).
HARMLESS: frozenset[str] = frozenset(
    {
        "residual_warmth",
        "flame_whirlwind",
        "water_barrier",
        "fear_whisper",
        "bud_healing",
        "life_totem",
        "poison_vine",
        "granite_barrier",
        "quicksand_trap",
        "core_rebound",
        "faith_emblem",
        "divine_link",
        "luminous_dispel",
        "angelic_sanctuary",
    }
)

#: Skills that make HP fractional (0.1 / 0.45 / 0.2 reductions); a duel whose cycles avoid them (and starts
#: with integer amounts) runs in exact integer arithmetic.
INEXACT: frozenset[str] = frozenset({"fear_whisper", "granite_barrier", "faith_emblem", "luminous_dispel"})
#: Skills whose damage depends on the actor's own HP (below 99999, the only such dependence in practice).
READS_OWN_HP: frozenset[str] = frozenset({"void_assimilation"})
#: Skills that read the target's Burning layers / the actor's Tidal Surge layers.
READS_BURN: frozenset[str] = frozenset({"burst_flame_bomb", "magma_eruption"})
READS_TS: frozenset[str] = frozenset({"whirlpool_strangle", "tsunami_ending", "abyss_resonance"})
