"""The v2 skill functions: v1's functions for unchanged skills, new ones for the skills v2 changes.

A v2 character (:class:`FighterV2`) knows its max HP (its starting HP): heals stop there, and the
HP-dependent skills (final_announcement, earth_pulse, soul_siphon) measure the share of it that is lost.
Every number is bound from the v2 catalogue at import, as in v1.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from games.elemental_duel import catalogue as v1cat
from games.elemental_duel.fighter import Cycle, Fighter, SkillFn
from games.elemental_duel.skills import SKILL_FUNCTIONS as V1_FUNCTIONS
from games.elemental_duel.skills import _cleanse_first, _d, _hit
from games.elemental_duel.v2 import catalogue as cat
from games.elemental_duel.v2.catalogue import num

_MIN = cat.MIN_DAMAGE
_PARTS = cat.LOST_PARTS


class FighterV2(Fighter):
    """A v1 :class:`Fighter` that also knows its max HP (``top``)."""

    __slots__ = ("top",)

    def __init__(self, index: int, element: str, hp: float, cycle: Cycle):
        super().__init__(index, element, hp, cycle)
        self.top: float = hp


def _steps(f: Fighter) -> int:
    """N = whole tenths of max HP lost, never below 0 (final_announcement, earth_pulse).

    Computed as trunc((max HP - HP) x 10 / max HP), which is exact for integer HP (no 0.3 / 0.1 = 2.99…).
    """
    top = f.top  # type: ignore[attr-defined]
    n = int((top - f.hp) * _PARTS / top) if top > 0 else 0
    return n if n > 0 else 0


def _heal(f: Fighter, amount: float) -> None:
    """Heal ``f`` by ``amount``, never above its max HP (a character already above it keeps its HP)."""
    top = f.top  # type: ignore[attr-defined]
    if f.hp < top:
        hp = f.hp + amount
        f.hp = hp if hp < top else top


_HC, _HC_R = num("hell_curtain", "power"), num("hell_curtain", "reflect_power")
_SC, _SC_H = num("shadow_claw", "power"), num("shadow_claw", "heal")
_SS, _SS_B, _SS_HALF = num("soul_siphon", "power"), num("soul_siphon", "bonus"), num("soul_siphon", "half")
_FA, _FA_K = num("final_announcement", "power"), num("final_announcement", "per_step")
_LT_H = num("life_totem", "heal")
_FR_H, _FR = num("forest_reincarnation", "heal"), num("forest_reincarnation", "power")
_EP_K = num("earth_pulse", "per_step")
_HG_H, _HG = num("holy_glimmer", "heal"), num("holy_glimmer", "power")
_AS = num("angelic_sanctuary", "reduction")


def hell_curtain(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    _hit(t, _HC, m)
    a.add_ordered(v1cat.REFLECTIVE_SHIELD, _d(t, _HC_R, m))


def shadow_claw(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    _hit(t, _SC, m)
    _heal(a, _SC_H)


def soul_siphon(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    _hit(t, _SS + _SS_B if t.hp < _SS_HALF * t.top else _SS, m)  # type: ignore[attr-defined]


def final_announcement(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    _hit(t, _FA + _FA_K * _steps(t), m)


def life_totem(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    _heal(a, _LT_H)
    a.flags.add(v1cat.LIFE_TOTEM)


def forest_reincarnation(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    _heal(a, _FR_H)
    _hit(t, _FR, m)


def earth_pulse(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    steps = _steps(a)
    if steps:
        _hit(t, _EP_K * steps, m)
    a.flags.add(v1cat.EARTH_PULSE_SHIELD)


def holy_glimmer(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    _cleanse_first(a)
    _heal(a, _HG_H)
    _hit(t, _HG, m)


def angelic_sanctuary(a: Fighter, t: Fighter, m: float) -> None:  # noqa: D103
    a.add_ordered(v1cat.ANGELIC_SANCTUARY, _AS)


_OVERRIDES: dict[str, SkillFn] = {
    f.__name__: f
    for f in (
        hell_curtain,
        shadow_claw,
        soul_siphon,
        final_announcement,
        life_totem,
        forest_reincarnation,
        earth_pulse,
        holy_glimmer,
        angelic_sanctuary,
    )
}
assert set(_OVERRIDES) == set(cat.CHANGED), "every changed skill needs a v2 function"

SKILL_FUNCTIONS: Mapping[str, SkillFn] = MappingProxyType(
    {key: _OVERRIDES.get(key, V1_FUNCTIONS[key]) for key in cat.SKILLS}
)
