"""The duel chain (spec §4.8): 1-v-1 duels, invader first, survivor back to the front of its queue.

``run_battle`` takes the two teams as ``(element, skill keys)`` tuples in plan order and returns a
:class:`BattleOutcome`. The optional ``log`` list receives one :class:`ActionLog` per action; it is off by
default because it costs time on the hot path, and a logged battle never takes the stall shortcuts of
:mod:`games.elemental_duel.stalls` (so logged and unlogged runs can be compared to prove them exact).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from games.elemental_duel.catalogue import MULTIPLIERS, NEUTRAL_MULTIPLIER, num
from games.elemental_duel.fighter import ActionLog, Cycle, Fighter
from games.elemental_duel.skills import HARMLESS, INEXACT, READS_BURN, READS_OWN_HP, READS_TS, SKILL_FUNCTIONS
from games.elemental_duel.stalls import WARMUP, play_long

Team = Sequence[tuple[str, Sequence[str]]]

__all__ = ["ActionLog", "BattleOutcome", "DuelRecord", "Team", "compile_cycle", "play_actions", "run_battle"]


@dataclass(frozen=True)
class DuelRecord:
    """One duel: both characters' plan indexes, the winner (``None`` if capped), actions, HP after."""

    invader: int
    defender: int
    winner: str | None
    actions: int
    invader_hp: float
    defender_hp: float


@dataclass(frozen=True)
class BattleOutcome:
    """Result of a whole battle.

    Attributes:
        winner: ``"A"`` (defenders), ``"B"`` (invaders) or ``None`` (a duel hit the action cap).
        duels: Every duel in order.
        capped: True when a duel hit the action cap.
        defenders: The defender queue at the end as (plan index, element, HP), front first.
        invaders: The invader queue at the end, front first.
    """

    winner: str | None
    duels: tuple[DuelRecord, ...]
    capped: bool
    defenders: tuple[tuple[int, str, float], ...]
    invaders: tuple[tuple[int, str, float], ...]


@lru_cache(maxsize=4096)
def compile_cycle(names: tuple[str, ...]) -> Cycle:
    """Compile a skill list (exact catalogue keys) once; cached because skill lists repeat across battles."""
    heal = num("life_totem", "heal")
    return Cycle(
        names=names,
        fns=tuple(SKILL_FUNCTIONS[s] for s in names),
        harmless=all(s in HARMLESS for s in names),
        exact=not any(s in INEXACT for s in names),
        reads_burn=any(s in READS_BURN for s in names),
        reads_ts=any(s in READS_TS for s in names),
        reads_hp=any(s in READS_OWN_HP for s in names),
        heals=tuple(heal if s == "life_totem" else 0 for s in names),
    )


def _multiplier(attacker: str, target: str) -> float:
    row = MULTIPLIERS.get(attacker)
    return row.get(target, NEUTRAL_MULTIPLIER) if row is not None else NEUTRAL_MULTIPLIER


def play_actions(
    inv: Fighter, dfd: Fighter, mi: float, md: float, n: int, stop: int, k: int, log: list[ActionLog] | None
) -> int:
    """Play actions ``n, n+1, …`` (the invader on even ``n``) until one duellist is down or ``n == stop``.

    ``mi`` / ``md`` are the invader → defender / defender → invader multipliers, ``k`` the duel index (for
    the log). The loop body is the action procedure (spec §4.8) written out once per actor, because this is
    where nearly all simulation time goes. Returns the new action count.
    """
    while inv.hp > 0 and dfd.hp > 0 and n < stop:
        if not n & 1:
            # ---- the invader acts
            sk = inv.sk
            if sk:
                p = inv.ptr
                f = sk[p]
                p += 1
                inv.ptr = 0 if p == inv.nsk else p
                f(inv, dfd, mi)
                if dfd.refl:  # step 4: reflect
                    for r in dfd.refl:
                        inv.hp -= r
                if inv.seeds:  # step 5: counter
                    for c in inv.seeds:
                        inv.hp -= c
                if dfd.faith:  # step 6: the target's Faith Emblem goes
                    dfd.drop_faith()
                if log is not None:
                    log.append(ActionLog(k, "B", inv.names[p - 1], inv.hp, dfd.hp))
            elif log is not None:
                log.append(ActionLog(k, "B", None, inv.hp, dfd.hp))
            n += 1
            if inv.hp <= 0 or dfd.hp <= 0 or n >= stop:
                break
        # ---- the defender acts
        sk = dfd.sk
        if sk:
            p = dfd.ptr
            f = sk[p]
            p += 1
            dfd.ptr = 0 if p == dfd.nsk else p
            f(dfd, inv, md)
            if inv.refl:
                for r in inv.refl:
                    dfd.hp -= r
            if dfd.seeds:
                for c in dfd.seeds:
                    dfd.hp -= c
            if inv.faith:
                inv.drop_faith()
            if log is not None:
                log.append(ActionLog(k, "A", dfd.names[p - 1], inv.hp, dfd.hp))
        elif log is not None:
            log.append(ActionLog(k, "A", None, inv.hp, dfd.hp))
        n += 1
    return n


def _duel(inv: Fighter, dfd: Fighter, cap: int, k: int, log: list[ActionLog] | None) -> int:
    """Play one duel in place; return the number of actions, or ``-1`` if it hit the action cap."""
    mi = _multiplier(inv.el, dfd.el)
    md = _multiplier(dfd.el, inv.el)
    if log is not None:
        n = play_actions(inv, dfd, mi, md, 0, cap, k, log)
    else:
        n = play_actions(inv, dfd, mi, md, 0, min(WARMUP, cap), k, None)
        if n < cap and inv.hp > 0 and dfd.hp > 0:
            n = play_long(inv, dfd, mi, md, n, cap, play_actions)
    return -1 if inv.hp > 0 and dfd.hp > 0 else n


def _fighter(index: int, element: str, hp: float, names: tuple[str, ...]) -> Fighter:
    """A v1 character with its compiled skill cycle."""
    return Fighter(index, element, hp, compile_cycle(names))


def run_battle(
    defenders: Team,
    invaders: Team,
    *,
    start_hp: int = 100,
    duel_action_cap: int = 1000,
    max_duels: int = 100,
    log: list[ActionLog] | None = None,
    fighter: Callable[[int, str, float, tuple[str, ...]], Fighter] | None = None,
    duel: Callable[[Any, Any, int, int, list[ActionLog] | None], int] | None = None,
) -> BattleOutcome:
    """Play the duel chain between two teams given in plan order.

    Args:
        defenders: Side A's characters as ``(element, skill keys)``; keys must be catalogue keys.
        invaders: Side B's characters.
        start_hp: Every character's starting HP.
        duel_action_cap: A duel still running after this many actions stops the battle with no winner.
        max_duels: The battle stops after this many duels.
        log: If given, receives every action (and disables the stall shortcuts).
        fighter: Builds a character from (index, element, HP, skill keys) (a later ruleset's; default v1's).
        duel: Plays one duel in place (``_duel``'s signature; a later ruleset's; default v1's).
    """
    make = fighter or _fighter
    play = duel or _duel
    inv = [make(i, el, start_hp, tuple(sk)) for i, (el, sk) in enumerate(invaders)]
    dfd = [make(i, el, start_hp, tuple(sk)) for i, (el, sk) in enumerate(defenders)]
    qi = qd = 0
    ni, nd = len(inv), len(dfd)
    duels: list[DuelRecord] = []
    capped = False
    while qi < ni and qd < nd and len(duels) < max_duels:
        a, e = inv[qi], dfd[qd]
        n = play(a, e, duel_action_cap, len(duels), log)
        if n < 0:
            capped = True
            duels.append(DuelRecord(a.index, e.index, None, duel_action_cap, a.hp, e.hp))
            break
        if a.hp > 0:  # the invader wins the duel (a defender already at <= 0 HP loses without acting)
            duels.append(DuelRecord(a.index, e.index, "B", n, a.hp, e.hp))
            qd += 1
        else:  # the defender wins, even when it is at <= 0 HP too (mutual knock-out, spec §4.8)
            duels.append(DuelRecord(a.index, e.index, "A", n, a.hp, e.hp))
            qi += 1
    winner: str | None = None if capped else ("B" if qi < ni else "A")
    return BattleOutcome(
        winner=winner,
        duels=tuple(duels),
        capped=capped,
        defenders=tuple((f.index, f.el, f.hp) for f in dfd[qd:]),
        invaders=tuple((f.index, f.el, f.hp) for f in inv[qi:]),
    )
