"""A character in battle: HP, skill cycle and statuses, laid out for a fast duel loop (spec §4.6).

Statuses never tick or expire, so only the ones some rule reads are tracked:

* ``od`` — the ordered map from status name to instance values for the statuses whose *order* matters:
  damage reductions (summed in IEEE double in status order, spec §4.5) and reflects (subtracted one by one
  in status order). A dict keeps insertion order and sends a removed-then-re-added name to the end, exactly
  like the original's status map. ``R`` and ``refl`` are caches rebuilt whenever ``od`` changes.
* ``seeds`` — Parasitic Seed amounts in insertion order (subtracted one by one after each own action).
* ``burn`` / ``ts`` — total Burning / Tidal Surge layers (only their sums are ever read).
* ``flags`` — presence of the inert statuses that cleansing and dispelling look for.

Inert statuses nothing reads (Residual Warmth, Bud Healing, Divine Link, …) are not tracked at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from games.elemental_duel.catalogue import FAITH_EMBLEM, REDUCTIONS

SkillFn = Callable[["Fighter", "Fighter", float], None]


class ActionLog(NamedTuple):
    """One action of the battle: who acted with which skill, and both duellists' HP right after it.

    ``actor`` is ``"B"`` (the invader) or ``"A"`` (the defender); ``skill`` is ``None`` when a character
    without skills passes its turn.
    """

    duel: int
    actor: str
    skill: str | None
    invader_hp: float
    defender_hp: float


@dataclass(frozen=True)
class Cycle:
    """A character's compiled skill list plus static facts the stall detector uses.

    Attributes:
        names: Skill keys in list order.
        fns: The matching skill functions.
        harmless: No skill of the cycle can take HP from anyone.
        exact: No skill of the cycle makes HP fractional or deals HP-dependent damage.
        reads_burn: The cycle reads the target's Burning layers.
        reads_ts: The cycle reads the actor's own Tidal Surge layers.
        reads_hp: The cycle's damage depends on the actor's own HP (void_assimilation).
        heals: HP each position heals when the cycle is harmless (only life_totem heals among those).
    """

    names: tuple[str, ...]
    fns: tuple[SkillFn, ...]
    harmless: bool
    exact: bool
    reads_burn: bool
    reads_ts: bool
    reads_hp: bool
    heals: tuple[float, ...]


class Fighter:
    """Mutable battle state of one character.

    Attributes:
        index: Position of the character in its side's canonical plan.
        el: Element name.
        hp: Current HP (an int until a fractional reduction touches it, then a float).
        sk: The compiled skill functions in list order; ``names`` holds their keys.
        ptr: Index of the next skill (round-robin; persists across duels).
    """

    __slots__ = (
        "R",
        "burn",
        "cycle",
        "el",
        "faith",
        "flags",
        "hp",
        "index",
        "names",
        "nsk",
        "od",
        "ptr",
        "refl",
        "seeds",
        "sk",
        "ts",
    )

    def __init__(self, index: int, element: str, hp: float, cycle: Cycle):
        self.index = index
        self.el = element
        self.hp: float = hp
        self.cycle = cycle
        self.names = cycle.names
        self.sk = cycle.fns
        self.nsk = len(cycle.fns)
        self.ptr = 0
        self.burn = 0
        self.ts = 0
        self.seeds: list[float] = []
        self.od: dict[str, list[float]] = {}
        self.R: float = 0
        self.refl: list[float] = []
        self.faith = False
        self.flags: set[str] = set()

    def add_ordered(self, name: str, value: float) -> None:
        """Append one instance of a reduction or reflect status and refresh the caches."""
        od = self.od
        inst = od.get(name)
        if inst is None:
            od[name] = [value]
        else:
            if name == next(reversed(od)):
                # Stacking onto the last status name: the new instance is also last in both folds, so the
                # caches can be extended instead of rebuilt (same IEEE result, O(1)).
                inst.append(value)
                if name in REDUCTIONS:
                    self.R += value
                else:
                    self.refl.append(value)
                return
            inst.append(value)
        if name == FAITH_EMBLEM:
            self.faith = True
        self.rebuild()

    def remove_ordered(self, name: str) -> bool:
        """Remove every instance of a reduction or reflect status; True if it was present."""
        if self.od.pop(name, None) is None:
            return False
        if name == FAITH_EMBLEM:
            self.faith = False
        self.rebuild()
        return True

    def drop_faith(self) -> None:
        """Remove every Faith Emblem (end of an opponent action that targeted this character)."""
        del self.od[FAITH_EMBLEM]
        self.faith = False
        self.rebuild()

    def rebuild(self) -> None:
        """Recompute the reduction sum and the reflect list from ``od``, in status order."""
        total: float = 0
        refl: list[float] = []
        for name, inst in self.od.items():
            if name in REDUCTIONS:
                for v in inst:
                    total += v
            else:
                refl.extend(inst)
        self.R = total
        self.refl = refl
