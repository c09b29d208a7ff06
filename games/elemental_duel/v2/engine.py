"""The v2 duel chain: v1's chain and action steps with v2's skills, skill slots and turn order.

Differences from v1's engine: every character has a fixed number of skill slots (empty ones are rests,
which do nothing at all), the defender acts first in every duel, and characters know their max HP. There
are no stall shortcuts: v2's action cap is small (see
:class:`~games.elemental_duel.v2.params.DuelParamsV2`), so a stalled duel is simply played to the cap.
"""

from __future__ import annotations

from functools import lru_cache

from games.elemental_duel import engine as v1engine
from games.elemental_duel.engine import BattleOutcome, Team
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
    """Play the v2 duel chain (v1's chain with v2 characters and duels; ``slots`` skill slots each)."""

    def fighter(index: int, element: str, hp: float, names: tuple[str, ...]) -> FighterV2:
        return FighterV2(index, element, hp, compile_cycle(names, slots))

    return v1engine.run_battle(
        defenders,
        invaders,
        start_hp=start_hp,
        duel_action_cap=duel_action_cap,
        max_duels=max_duels,
        log=log,
        fighter=fighter,
        duel=_duel,
    )
