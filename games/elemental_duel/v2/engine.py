"""The v2 duel chain: v1's chain and action steps with v2's skills, skill slots and turn order.

Differences from v1's engine: every character has a fixed number of skill slots (empty ones are rests,
which do nothing at all), the defender acts first in every duel, and characters know their max HP. There
are no stall shortcuts: v2's action cap is small (see
:class:`~games.elemental_duel.v2.params.DuelParamsV2`), so a stalled duel is simply played to the cap.
"""

from __future__ import annotations

from functools import lru_cache

from games.elemental_duel.engine import BattleOutcome, DuelRecord, Team
from games.elemental_duel.fighter import ActionLog, Cycle, Fighter
from games.elemental_duel.v2.catalogue import MULTIPLIERS, NEUTRAL_MULTIPLIER
from games.elemental_duel.v2.skills import SKILL_FUNCTIONS, FighterV2

__all__ = ["FIRST_MOVER_TEXT", "compile_cycle", "rest", "run_battle"]

#: Who acts first in a duel, in the rules text's words (v1: the invader).
FIRST_MOVER_TEXT = "In every duel the defender acts first, then the two alternate."


def rest(a: Fighter, t: Fighter, m: float) -> None:
    """An empty skill slot: the character does nothing (no reflect, seed or Faith Emblem step either)."""


@lru_cache(maxsize=4096)
def compile_cycle(names: tuple[str, ...], slots: int) -> Cycle:
    """A skill list padded with :func:`rest` to ``slots`` slots, compiled with the v2 functions."""
    fns = tuple(SKILL_FUNCTIONS[s] for s in names) + (rest,) * max(slots - len(names), 0)
    return Cycle(names, fns, False, False, False, False, False, ())


def _act(x: FighterV2, y: FighterV2, m: float) -> str | None:
    """One action of ``x`` against ``y`` (spec §4.8 steps 1-6); returns the skill used (None: a rest)."""
    p = x.ptr
    f = x.sk[p]
    x.ptr = 0 if p + 1 == x.nsk else p + 1
    if f is rest:
        return None
    f(x, y, m)
    for r in y.refl:
        x.hp -= r
    for c in x.seeds:
        x.hp -= c
    if y.faith:
        y.drop_faith()
    return x.names[p]


def _duel(inv: FighterV2, dfd: FighterV2, cap: int, k: int, log: list[ActionLog] | None) -> int:
    """Play one duel in place; return the number of actions, or ``-1`` if it hit the action cap."""
    row = MULTIPLIERS.get(inv.el)
    mi = row.get(dfd.el, NEUTRAL_MULTIPLIER) if row is not None else NEUTRAL_MULTIPLIER
    row = MULTIPLIERS.get(dfd.el)
    md = row.get(inv.el, NEUTRAL_MULTIPLIER) if row is not None else NEUTRAL_MULTIPLIER
    order = ((dfd, inv, md, "A"), (inv, dfd, mi, "B"))  # the defender acts first (FIRST_MOVER_TEXT)
    n = 0
    while inv.hp > 0 and dfd.hp > 0 and n < cap:
        x, y, m, who = order[n & 1]
        skill = _act(x, y, m) if x.nsk else None
        n += 1
        if log is not None:
            log.append(ActionLog(k, who, skill, inv.hp, dfd.hp))
    return -1 if inv.hp > 0 and dfd.hp > 0 else n


def run_battle(
    defenders: Team,
    invaders: Team,
    *,
    start_hp: int = 100,
    duel_action_cap: int = 200,
    max_duels: int = 100,
    slots: int = 3,
    log: list[ActionLog] | None = None,
) -> BattleOutcome:
    """Play the v2 duel chain between two teams given in plan order (arguments as in v1's ``run_battle``)."""
    inv = [FighterV2(i, el, start_hp, compile_cycle(tuple(sk), slots)) for i, (el, sk) in enumerate(invaders)]
    dfd = [
        FighterV2(i, el, start_hp, compile_cycle(tuple(sk), slots)) for i, (el, sk) in enumerate(defenders)
    ]
    qi = qd = 0
    ni, nd = len(inv), len(dfd)
    duels: list[DuelRecord] = []
    capped = False
    while qi < ni and qd < nd and len(duels) < max_duels:
        a, e = inv[qi], dfd[qd]
        n = _duel(a, e, duel_action_cap, len(duels), log)
        if n < 0:
            capped = True
            duels.append(DuelRecord(a.index, e.index, None, duel_action_cap, a.hp, e.hp))
            break
        if a.hp > 0:
            duels.append(DuelRecord(a.index, e.index, "B", n, a.hp, e.hp))
            qd += 1
        else:
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
