"""The battle card simulator (spec §3.5–3.9, engine mechanics of ruleset v1).

Minions (:mod:`games.battle_card.minion`) are small slotted objects and abilities dispatch on an integer
``kind``; every number comes from the catalogue the minions are built from (ruleset v1's by default, see
:mod:`games.battle_card.catalogue`). The engine is pure and deterministic. Lines are plain lists that are
only ever mutated in place, because minions keep a reference to their enemy line (MoltenHound's deathrattle
hits it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from games.battle_card.catalogue import ALL_UNITS, ATTACK_GUARD, UnitSpec
from games.battle_card.minion import (
    ANCIENT_TREANT,
    BANDIT_LEADER,
    BATTLE_FRENZY,
    BLACK_ROCK,
    DEATH_HOOK,
    ELITE_SOLDIER,
    FIRE_LIZARD,
    FOREST_SEER,
    KING,
    LAVA_GOLEM,
    MOLTEN_HOUND,
    MOUNTAIN_GIANT,
    PALADIN,
    PHOENIX,
    PHOENIX_SPLASH,
    POISON_FROG,
    SAPLING,
    SHADOW_OVERLORD,
    SHADOW_SUMMONER,
    STONE_WARRIOR,
    TIDE_GUARDIAN,
    TIDE_LORD,
    VINE_PROTECTOR,
    WATER_ELEMENTAL,
    Minion,
)
from games.core.errors import EngineError


def _damage(v: Minion, amount: int, src: Minion | None, allies: list[Minion] | None) -> int:
    """The damage event of spec §3.7; returns the overkill of a lethal step-c hit, else 0."""
    k = v.kind
    if k in (LAVA_GOLEM, MOUNTAIN_GIANT):
        allies = None  # they process their own events without team context
    e = 0
    if src is not None and src.kind == POISON_FROG and not v.shield:
        v.hp = 0
        if k in DEATH_HOOK:
            _death(v, src)
    elif v.shield:
        v.shield = False
        if allies is not None:
            for x in allies:
                if x.kind == PALADIN and x is not v:
                    x.atk += x.val
    else:
        hp = v.hp - amount
        if k == TIDE_LORD:
            v.atk *= 2
        elif k == VINE_PROTECTOR:
            hp += v.val
        v.hp = hp
        if hp <= 0:
            e = -hp
            if k in DEATH_HOOK:
                _death(v, src)
    if src is not None:
        if k == LAVA_GOLEM:
            src.burn = v.val
        elif k == MOUNTAIN_GIANT:
            a = src.atk - v.val
            src.atk = a if a > 0 else 0
    return e


def _death(v: Minion, src: Minion | None) -> None:
    """Death hooks (run inside the damage event whenever the victim ends at zero health or less)."""
    k = v.kind
    if k == FIRE_LIZARD:
        if src is not None:
            _damage(src, v.val, v, None)
    elif k == MOLTEN_HOUND:
        for x in v.enemies:
            _damage(x, v.val, v, None)
    elif not v.reborn:  # PHOENIX, PHOENIX_SPLASH
        v.reborn = True
        v.hp = v.val


def _attack(p: Minion, q: Minion, p_line: list[Minion], q_line: list[Minion]) -> None:
    """Attack resolution steps 1–5 of spec §3.6 (cleanup is the caller's)."""
    k = p.kind
    if k == WATER_ELEMENTAL:
        p.atk += p.val
    elif k == SAPLING:
        p.hp += p.val
    if p.burn > 0:
        _damage(p, p.burn, None, None)
    e = _damage(q, p.atk, p, q_line)
    if k == BATTLE_FRENZY:
        _damage(q, p.atk, p, None)
        a = p.atk - p.val
        p.atk = a if a > 0 else 0
    elif k == TIDE_GUARDIAN:
        _damage(q, p.atk, p, None)
    elif k == BANDIT_LEADER:
        if e > 0:
            for x in q_line:
                if x is not q:
                    _damage(x, e, p, None)
                    break
    elif k == PHOENIX:
        for x in q_line:
            if x is not q:
                _damage(x, p.atk, p, None)
    elif k == KING and len(p_line) < p.val:
        p_line.append(Minion("Soldier", False, q_line, p.units))
    elif k == PHOENIX_SPLASH:
        i = q_line.index(q)
        for j in (i - 1, i + 1):
            if 0 <= j < len(q_line):
                _damage(q_line[j], p.atk, p, None)
    _damage(p, q.atk, q, p_line)


def _cleanup(defs: list[Minion], invs: list[Minion], cap: int) -> None:
    """Spec §3.8: remove the dead (invaders first), then deathrattle summons (invaders' first)."""
    dead_i = [m for m in invs if m.hp <= 0]
    dead_d = [m for m in defs if m.hp <= 0]
    if dead_i:
        invs[:] = [m for m in invs if m.hp > 0]
    if dead_d:
        defs[:] = [m for m in defs if m.hp > 0]
    for m in dead_i:
        m.gone = True
        if m.kind == SHADOW_OVERLORD:
            while len(invs) < cap:
                invs.append(Minion("SkeletonMinion", m.gold, defs, m.units))
        elif m.kind == SHADOW_SUMMONER:
            for _ in range(m.val):
                if len(invs) < cap:
                    invs.append(Minion("SkeletonMinion", m.gold, defs, m.units))
    for m in dead_d:
        m.gone = True
        if m.kind == STONE_WARRIOR and len(defs) < cap:
            defs.append(Minion("RockBeetle", m.gold, invs, m.units))


def _start_of_battle(line: list[Minion]) -> None:
    """Start-of-battle effects of one line, in line order (spec §3.5 step 3)."""
    n = len(line)
    for i, m in enumerate(line):
        k = m.kind
        if k == FOREST_SEER:
            for x in line:
                if x is not m and x.nature:
                    x.atk += m.val
                    x.hp += m.val
        elif k == ELITE_SOLDIER:
            for j in (i - 1, i + 1):
                if 0 <= j < n:
                    x = line[j]
                    x.shield = True
                    x.atk += m.val
        elif k == BLACK_ROCK:
            m.hp += m.val * (n - 1)
        elif k == ANCIENT_TREANT:
            for x in line:
                if x is not m:
                    x.atk += m.val
                    x.hp += m.val


@dataclass
class Outcome:
    """Final state of one battle.

    Attributes:
        defenders: Surviving defender line (in order).
        invaders: Surviving invader line (in order).
        attacks: Number of attacks resolved.
    """

    defenders: list[Minion]
    invaders: list[Minion]
    attacks: int

    @property
    def invaders_win(self) -> bool:
        """The engine's verdict: invaders win iff the defender line is empty (also when both are)."""
        return not self.defenders


def _taunt_target(line: list[Minion]) -> Minion:
    """The leftmost minion with Taunt, else the leftmost minion."""
    for m in line:
        if m.taunt:
            return m
    return line[0]


def run_battle(
    defenders: list[tuple[str, bool]],
    invaders: list[tuple[str, bool]],
    max_units: int,
    log: list[dict[str, Any]] | None = None,
    units: dict[str, UnitSpec] = ALL_UNITS,
    taunt: bool = False,
) -> Outcome:
    """Play one battle.

    Args:
        defenders: The defender line as ``(name, is_gold)`` in plan order (already validated and truncated).
        invaders: The invader line likewise.
        max_units: The line size that ShadowOverlord fills up to and StoneWarrior needs room below.
        log: When given, one record per attack is appended (attacker, target, both lines after cleanup).
        units: The catalogue (every unit and token by name); ruleset v1's by default.
        taunt: Whether attacks target the enemy's leftmost Taunt minion first (v1: no Taunt).

    Raises:
        EngineError: If the attack guard is hit (cannot happen for valid plans).
    """
    defs: list[Minion] = []
    invs: list[Minion] = []
    defs.extend(Minion(n, g, invs, units) for n, g in defenders)
    invs.extend(Minion(n, g, defs, units) for n, g in invaders)
    if not defs or not invs:
        return Outcome(defs, invs, 0)
    _start_of_battle(invs)
    _start_of_battle(defs)
    if len(invs) >= len(defs):
        first, second, first_side = invs, defs, "B"
    else:
        first, second, first_side = defs, invs, "A"
    second_side = "A" if first_side == "B" else "B"
    attacks = 0
    attack = _attack
    cleanup = _cleanup
    while first and second:
        if attacks > ATTACK_GUARD:
            raise EngineError(f"battle card: more than {ATTACK_GUARD} attacks (engine bug)")
        for m in first[:]:
            if not first or not second:
                break
            if m.gone:
                continue
            q = _taunt_target(second) if taunt else second[0]
            attack(m, q, first, second)
            cleanup(defs, invs, max_units)
            attacks += 1
            if log is not None:
                _log(log, attacks, first_side, m, q, defs, invs)
            if not first or not second:
                break
            p, q = second[0], _taunt_target(first) if taunt else first[0]
            attack(p, q, second, first)
            cleanup(defs, invs, max_units)
            attacks += 1
            if log is not None:
                _log(log, attacks, second_side, p, q, defs, invs)
    return Outcome(defs, invs, attacks)


def _log(
    log: list[dict[str, Any]],
    n: int,
    side: str,
    p: Minion,
    q: Minion,
    defs: list[Minion],
    invs: list[Minion],
) -> None:
    log.append(
        {
            "attack": n,
            "side": side,
            "attacker": p.name,
            "target": q.name,
            "A": [m.state() for m in defs],
            "B": [m.state() for m in invs],
        }
    )
