"""Exact shortcuts for long duels (the 1,000-action cap is legal but expensive to simulate action by action).

A duel that has lasted ``WARMUP`` actions is continued in whole *periods* of ``2 × lcm(skill-list
lengths)`` actions: after a period both skill pointers are back where they were and the invader acts
next again. At each period boundary two provably exact shortcuts are tried; anything they do not cover is
simply simulated.

1. **Harmless**: neither cycle contains a skill that can take HP (no damage, reflect or seed), neither
   duellist carries a Parasitic Seed, and neither acts against a reflect. Then no HP is ever lost again,
   the duel must reach the cap, and the only HP change left is life_totem's heal, applied in closed form
   (or step by step when HP is fractional, to keep the IEEE rounding of the slow path).
2. **Periodic in integers**: both cycles avoid every skill that makes HP fractional, every HP, reduction,
   reflect and seed amount is an integer, both HPs stay far below the thresholds where HP-dependent
   powers would change (final_announcement, earth_pulse, soul_siphon, heal cap), and the status state that
   any skill of this duel reads is the same at two consecutive boundaries (including the HP of a
   void_assimilation caster, whose damage follows its own HP). Status changes never depend on HP, so
   every later period repeats the last one exactly, shifted in HP by the last period's integer change
   ``Δ`` for each duellist. Then ``q`` whole periods are skipped by adding
   ``q·Δ``: all the periods left before the cap if nobody's HP is falling, else (after recording one
   period to learn each duellist's lowest HP within a period) only as many as provably keep everyone above
   0 HP. The remaining actions are simulated normally, so the cap, the death and the HP values come out
   exactly as in the action-by-action run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from games.elemental_duel.catalogue import HP_CAP, SKILLS
from games.elemental_duel.fighter import ActionLog, Fighter

#: Actions played normally before the shortcuts are considered (most duels are over by then).
WARMUP = 24
#: Period boundaries without a repeated state after which the periodic shortcut is abandoned.
MAX_MISSES = 8
#: Highest HP for which every HP-dependent power is constant (final_announcement / earth_pulse 9 steps).
SAFE_HP = 99999
#: The largest heal a single action can give (bounds how far HP can climb before the cap).
MAX_HEAL = max(s.numbers.get("heal", 0) for s in SKILLS.values())

Play = Callable[[Fighter, Fighter, float, float, int, int, int, "list[ActionLog] | None"], int]


def play_long(inv: Fighter, dfd: Fighter, mi: float, md: float, n: int, cap: int, play: Play) -> int:
    """Continue a duel from action ``n`` to its end or the cap, taking exact shortcuts; returns actions."""
    period = 2 * math.lcm(max(inv.nsk, 1), max(dfd.nsk, 1))
    harmless = inv.cycle.harmless and dfd.cycle.harmless
    exact = inv.cycle.exact and dfd.cycle.exact
    n = play(inv, dfd, mi, md, n, min(-(-n // period) * period, cap), -1, None)
    prev: tuple[Any, float, float] | None = None
    misses = 0
    while n < cap and inv.hp > 0 and dfd.hp > 0:
        if harmless and _unhurtable(inv, dfd):
            _finish_harmless(inv, dfd, n, cap)
            return cap
        if exact:
            state = _state(inv, dfd)
            if state is not None and prev is not None and prev[0] == state and _safe(inv, dfd, n, cap):
                di, dd = inv.hp - prev[1], dfd.hp - prev[2]
                if di < 0 or dd < 0:
                    # Record one more period to learn how deep each HP dips within a period.
                    start_i, start_d = inv.hp, dfd.hp
                    rec: list[ActionLog] = []
                    n = play(inv, dfd, mi, md, n, min(n + period, cap), -1, rec)
                    if n >= cap or inv.hp <= 0 or dfd.hp <= 0:
                        break
                    q = min(
                        _safe_periods(inv.hp, di, min(a.invader_hp for a in rec) - start_i),
                        _safe_periods(dfd.hp, dd, min(a.defender_hp for a in rec) - start_d),
                    )
                else:
                    q = (cap - n) // period
                q = min(q, (cap - n) // period)
                if q > 0:
                    inv.hp += q * di
                    dfd.hp += q * dd
                    n += q * period
                    exact = False  # every skip is taken in one go; the rest is played normally
            if state is None or (prev is not None and prev[0] != state):
                misses += 1
                # Statuses that keep stacking never repeat; stop paying for the comparison.
                exact = misses < MAX_MISSES
            prev = (state, inv.hp, dfd.hp) if state is not None else None
        n = play(inv, dfd, mi, md, n, min(n + period, cap), -1, None)
    return n


def _unhurtable(inv: Fighter, dfd: Fighter) -> bool:
    """With two harmless cycles: True if neither duellist can lose HP from its own actions either."""
    return not any(me.nsk and (me.seeds or other.refl) for me, other in ((inv, dfd), (dfd, inv)))


def _finish_harmless(inv: Fighter, dfd: Fighter, n: int, cap: int) -> None:
    """Apply the heals of actions ``n … cap-1`` (the invader acts on even ``n``) of a harmless duel."""
    for f, count in ((inv, (cap - n + 1) // 2), (dfd, (cap - n) // 2)):
        if not f.nsk:
            continue
        heals = f.cycle.heals
        full, rem = divmod(count, f.nsk)
        amounts = [h for h in heals if h] * full
        amounts += [heals[(f.ptr + j) % f.nsk] for j in range(rem) if heals[(f.ptr + j) % f.nsk]]
        f.ptr = (f.ptr + count) % f.nsk
        if not amounts:
            continue
        total = sum(amounts)
        if f.hp % 1 == 0 and f.hp + total < HP_CAP:
            f.hp += total  # integers: one addition equals the step-by-step sum exactly
        else:
            for h in amounts:
                hp = f.hp + h
                f.hp = hp if hp < HP_CAP else HP_CAP


def _state(inv: Fighter, dfd: Fighter) -> tuple[Any, ...] | None:
    """Everything except HP that a skill of this duel reads, or None if any amount is fractional."""
    parts: list[Any] = []
    for me, other in ((inv, dfd), (dfd, inv)):
        if me.hp % 1:
            return None
        od = tuple((name, tuple(values)) for name, values in me.od.items())
        if any(v % 1 for _, values in od for v in values) or any(c % 1 for c in me.seeds):
            return None
        parts.append(
            (
                od,
                tuple(me.seeds),
                me.burn if other.cycle.reads_burn else None,
                me.ts if me.cycle.reads_ts else None,
                frozenset(me.flags),
                # void_assimilation's damage follows its caster's HP: equal states then force Δ = 0 for it.
                me.hp if me.cycle.reads_hp else None,
            )
        )
    return tuple(parts)


def _safe(inv: Fighter, dfd: Fighter, n: int, cap: int) -> bool:
    """True if no HP can climb to where HP-dependent powers or the heal cap would change before the cap."""
    return max(inv.hp, dfd.hp) + MAX_HEAL * ((cap - n) // 2 + 1) < SAFE_HP


def _safe_periods(hp: float, delta: float, dip: float) -> int:
    """How many whole periods a duellist at ``hp`` (at a boundary) surely survives.

    ``delta`` is its HP change per period and ``dip`` its lowest HP within a period relative to the
    period's start (both integers). Period ``j`` starts at ``hp + j·delta``; it is survived if
    ``hp + j·delta + dip >= 1``.
    """
    if delta >= 0:
        return 1 << 30
    margin = hp + dip - 1
    return int(margin // -delta) + 1 if margin >= 0 else 0
