"""Live units of a tower defense battle: plain ``__slots__`` records, built from catalogue specs.

They are deliberately dumb mutable records (no methods in the hot path) because the simulator touches
them hundreds of thousands of times per second.
"""

from __future__ import annotations

from games.tower_defense.catalogue import CELL_PX, ORIGIN_PX, DemonSpec, HumanSpec

# Demon behaviour classes (what the damage matrix and the update procedure look at).
GENERIC, SHIELD, MACHINE, FIRE_D, FROST, FLYING, BOUNCING, SUMMONING, BREAKER = range(9)
DEMON_KIND = {
    "ShieldDemon": SHIELD,
    "MachineDemon": MACHINE,
    "FireDemon": FIRE_D,
    "FrostDemon": FROST,
    "FlyingDemon": FLYING,
    "BouncingDemon": BOUNCING,
    "SummoningDemon": SUMMONING,
    "ShieldBreakerDemon": BREAKER,
}


class Human:
    """A placed human.

    Attributes:
        uid: Creation index among humans (creation order = processing order).
        spec: Catalogue entry.
        row: Row ``y``; ``col``: column ``x``; ``left``: left edge in px (``80 x + 40``).
        hp: Remaining hit points (integer).
        weapon: Bullet type for shooters, else ``None``; ``interval``: shot interval in ticks.
        last: Tick of the last shot (or of placement).
        placed: Tick of placement.
        alive: False once destroyed or exploded.
    """

    __slots__ = ("alive", "col", "hp", "interval", "last", "left", "placed", "row", "spec", "uid", "weapon")

    def __init__(self, uid: int, spec: HumanSpec, col: int, row: int, tick: int) -> None:
        self.uid = uid
        self.spec = spec
        self.col = col
        self.row = row
        self.left = ORIGIN_PX + CELL_PX * col
        self.hp = spec.hp
        self.weapon = spec.weapon
        self.interval = spec.interval_ticks
        self.last = tick
        self.placed = tick
        self.alive = True


class Demon:
    """A demon on the board.

    Attributes:
        uid: Creation index among demons (creation order = processing order, also of summons).
        spec: Catalogue entry; ``kind``: behaviour class (``GENERIC``, ``SHIELD``, …).
        row: Row; ``x``: left edge in px.
        hp: Remaining hit points (IEEE double, fractional after ShieldDemon hits).
        speed: Current px per tick; ``damage``: current melee damage.
        last_attack: Tick of the last attack (or spawn); ``stagger``: stagger ticks left.
        slow_end: Tick at which the current slow ends (0 = not slowed).
        jumped: BouncingDemon has used its jump; ``last_summon``: SummoningDemon's timer.
        alive: False once killed.
    """

    __slots__ = (
        "alive",
        "damage",
        "hp",
        "jumped",
        "kind",
        "last_attack",
        "last_summon",
        "row",
        "slow_end",
        "spec",
        "speed",
        "stagger",
        "uid",
        "x",
    )

    def __init__(self, uid: int, spec: DemonSpec, row: int, x: int, tick: int) -> None:
        self.uid = uid
        self.spec = spec
        self.kind = DEMON_KIND.get(spec.name, GENERIC)
        self.row = row
        self.x = x
        self.hp: float = spec.hp
        self.speed = spec.speed_px
        self.damage = spec.damage
        self.last_attack = tick
        self.last_summon = tick
        self.stagger = 0
        self.slow_end = 0
        self.jumped = False
        self.alive = True
