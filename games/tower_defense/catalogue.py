"""Every tower defense unit and engine constant (spec §2.3–2.8, engine values): the single source of truth.

The engine reads its numbers from here and the rules text is formatted from here, so the two cannot drift.
Times are given both in game milliseconds (what plans and the original prompt use) and in ticks of the
canonical fixed-timestep model A (spec §2.7): one tick is 1/3 game-second, and an interval of ``g`` game ms
has elapsed after ``ceil(3 g / 1000)`` ticks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# ----------------------------------------------------------------------------- timing (spec §2.7)
#: Ticks per game-second (a tick is 1/30 real second and the game runs 10x faster than stated).
TICKS_PER_GAME_SECOND = 3
#: Game milliseconds per game-second.
MS_PER_GAME_SECOND = 1000
#: Plans give spawn times in game ms; the original truncates ``spawn_time / SPAWN_MS_DIVISOR`` (real ms).
SPAWN_MS_DIVISOR = 10
#: Real milliseconds per ``TICKS_PER_GAME_SECOND`` ticks (a tick is 100/3 real ms).
REAL_MS_PER_3_TICKS = 100


def ticks_for_ms(game_ms: int) -> int:
    """Ticks after which an interval of ``game_ms`` game ms has elapsed: ``ceil(3 g / 1000)`` (exact)."""
    return -(-TICKS_PER_GAME_SECOND * game_ms // MS_PER_GAME_SECOND)


def spawn_tick(spawn_time: float) -> int:
    """The tick on which an entry with ``spawn_time`` (game ms, finite, >= 0) appears (spec §2.7).

    ``s_r = trunc(s / 10)`` real ms, then ``ceil(3 s_r / 100)`` ticks, in exact integer arithmetic. Integral
    values use integer division; fractional ones reproduce the original's ``s * 0.1`` float product.
    """
    if isinstance(spawn_time, int):
        real_ms = spawn_time // SPAWN_MS_DIVISOR
    elif spawn_time.is_integer():
        real_ms = int(spawn_time) // SPAWN_MS_DIVISOR
    else:
        real_ms = math.trunc(spawn_time * 0.1)
    return max(0, -(-TICKS_PER_GAME_SECOND * real_ms // REAL_MS_PER_3_TICKS))


# ----------------------------------------------------------------------------- geometry (spec §2.8)
#: Side of a board cell in pixels.
CELL_PX = 80
#: Pixel offset of column 0 / row 0 (a human at (x, y) has its top-left corner at (80x + 40, 80y + 40)).
ORIGIN_PX = 40
#: A demon whose left edge is at or left of this pixel has reached the goal (Demon win).
GOAL_LEFT_PX = 40
#: Bullet size and speed.
BULLET_WIDTH_PX = 10
BULLET_HEIGHT_PX = 5
BULLET_SPEED_PX = 100
#: Explosion band of a LinearExplosion: rows y - 1 and y (no +40 offset in the original).
EXPLOSION_ROWS_ABOVE = 1

# ----------------------------------------------------------------------------- combat (spec §2.4–2.6)
#: Generic demon walking speed in px per tick (prompt speed 2).
BASE_SPEED_PX = 20
#: Prompt speed units per px-per-tick (prompt speed 2 = 20 px per tick).
PX_PER_SPEED_UNIT = 10
#: Speed of any slowed demon, and slow duration (2000 real ms = 20000 game ms, never scaled).
SLOW_SPEED_PX = 10
SLOW_MS = 20_000
SLOW_TICKS = ticks_for_ms(SLOW_MS)
#: Melee: a touching demon attacks when this long has passed since its previous attack (or spawn).
MELEE_COOLDOWN_MS = 1000
MELEE_COOLDOWN_TICKS = ticks_for_ms(MELEE_COOLDOWN_MS)
#: Each attack starts a stagger: this many ticks without moving or attacking, wobbling +-5 px.
STAGGER_TICKS = 6
WOBBLE_PX = 5
#: In sustained contact a demon therefore hits once every this many ticks.
MELEE_PERIOD_TICKS = STAGGER_TICKS + 1
#: BouncingDemon jump distance (2 cells).
BOUNCE_PX = 160
#: Explosion damage of LinearExplosion.
EXPLOSION_DAMAGE = 30
#: ShieldDemon multiplies normal-bullet damage by this factor.
SHIELD_DEMON_FACTOR = 0.3
#: Ice bullet damage to FireDemon (2 extra + the generic 1).
ICE_VS_FIRE_DEMON = 3
#: Fire bullet damage to FrostDemon.
FIRE_VS_FROST_DEMON = 5
#: MachineDemon after its first activation.
MACHINE_ACTIVE_SPEED_PX = 30
MACHINE_ACTIVE_DAMAGE = 3
#: ShieldBreakerDemon damage against ShieldSoldier / EnhancedShieldSoldier.
SHIELD_BREAKER_DAMAGE = 5
#: SummoningDemon summon interval.
SUMMON_MS = 5000
SUMMON_TICKS = ticks_for_ms(SUMMON_MS)
#: Ticks a NormalDemon needs to walk unobstructed from its spawn to the goal.
UNOBSTRUCTED_WALK_TICKS = 44

# ----------------------------------------------------------------------------- weapons
NORMAL, FIRE, ICE, ANTI_AIR = 0, 1, 2, 3
WEAPON_NAMES = ("normal", "fire", "ice", "anti-air")


@dataclass(frozen=True)
class HumanSpec:
    """One human unit type (spec §2.4).

    Attributes:
        name: Exact, case-sensitive name.
        cost: Budget cost (also its value in the end-of-battle summary).
        hp: Hit points.
        weapon: Bullet type (``NORMAL``/``FIRE``/``ICE``/``ANTI_AIR``) for shooters, else ``None``.
        damage: Damage of one bullet or of the explosion (0 for units that never deal damage).
        interval_ms: Shot interval (shooters) or fuse (LinearExplosion) in game ms; 0 if none.
        explodes: True for LinearExplosion (explodes once after its fuse, then disappears).
        shield: True for the two shield soldiers (ShieldBreakerDemon deals them extra damage).
        enhanced: True for EnhancedShieldSoldier (a BouncingDemon touching it does not jump).
        text: One-line description of the engine behaviour.
    """

    name: str
    cost: int
    hp: int
    weapon: int | None
    damage: int
    interval_ms: int
    text: str
    explodes: bool = False
    shield: bool = False
    enhanced: bool = False

    @property
    def interval_ticks(self) -> int:
        """Shot interval or fuse in ticks (0 if none)."""
        return ticks_for_ms(self.interval_ms)


@dataclass(frozen=True)
class DemonSpec:
    """One demon unit type (spec §2.5).

    Attributes:
        name: Exact, case-sensitive name.
        cost: Budget cost.
        value: Value in the end-of-battle summary (the original's hidden catalogue, spec §2.10).
        hp: Hit points.
        speed_px: Walking speed in px per tick.
        damage: Melee damage per attack to each touching human.
        text: One-line description of the engine behaviour (beyond the generic demon).
    """

    name: str
    cost: int
    value: int
    hp: int
    speed_px: int
    damage: int
    text: str


# fmt: off
HUMANS: dict[str, HumanSpec] = {
    s.name: s
    for s in (
        HumanSpec("HandgunSoldier", 100, 3, NORMAL, 1, 1000, "Shoots a normal bullet along its row."),
        HumanSpec("RifleSoldier", 200, 3, NORMAL, 1, 500, "Shoots a normal bullet along its row."),
        HumanSpec("MachineGunSoldier", 400, 3, NORMAL, 1, 250, "Shoots a normal bullet along its row."),
        HumanSpec("ShieldSoldier", 50, 15, None, 0, 0, "Blocker only; never attacks.", shield=True),
        HumanSpec(
            "EnhancedShieldSoldier", 100, 30, None, 0, 0,
            "Blocker only; a BouncingDemon touching it does not jump and fights it instead.",
            shield=True, enhanced=True,
        ),
        HumanSpec(
            "FlamethrowerSoldier", 200, 2, FIRE, 2, 1000,
            "Shoots a fire bullet along its row (no burn or damage over time).",
        ),
        HumanSpec(
            "IceSoldier", 200, 2, ICE, 1, 1000,
            "Shoots an ice bullet along its row: removes HP directly (ShieldDemon's reduction does not "
            "apply, MachineDemon is not activated) and slows the demon.",
        ),
        HumanSpec(
            "AntiAirSoldier", 100, 2, ANTI_AIR, 1, 1000,
            "Shoots an anti-air bullet along its row; it can only hit FlyingDemon and flies through every "
            "other demon.",
        ),
        HumanSpec(
            "LinearExplosion", 200, 50, None, EXPLOSION_DAMAGE, 500,
            "Explodes once after its fuse, dealing its damage to every demon in its own row AND in the row "
            "above it (y - 1), across the whole board; then disappears. If destroyed before the fuse ends it "
            "never explodes.",
            explodes=True,
        ),
        HumanSpec(
            "MagneticSoldier", 100, 2, None, 0, 0, "Does nothing at all (no shots, no pulse): a blocker."
        ),
    )
}

DEMONS: dict[str, DemonSpec] = {
    s.name: s
    for s in (
        DemonSpec("NormalDemon", 100, 100, 10, 20, 1, "Generic demon."),
        DemonSpec("GreatDemon", 200, 200, 20, 20, 1, "Generic demon."),
        DemonSpec("DemonKing", 800, 400, 40, 20, 5, "Generic demon."),
        DemonSpec(
            "SpeedyDemon", 150, 150, 10, 40, 1,
            "Fast until slowed: after any slow ends its speed becomes the generic "
            f"{BASE_SPEED_PX} px per tick for good.",
        ),
        DemonSpec(
            "ShieldDemon", 200, 200, 10, 20, 1,
            f"Normal bullets deal only {SHIELD_DEMON_FACTOR} damage to it.",
        ),
        DemonSpec(
            "MachineDemon", 300, 300, 20, 20, 1,
            "Activation: the first time it takes damage from a normal or fire bullet or an explosion (not "
            f"ice) its speed becomes {MACHINE_ACTIVE_SPEED_PX} px per tick and its melee damage "
            f"{MACHINE_ACTIVE_DAMAGE}, for good (a slow still lowers the speed until it ends; the next "
            f"activation restores {MACHINE_ACTIVE_SPEED_PX}). No damage reduction.",
        ),
        DemonSpec(
            "BouncingDemon", 150, 150, 10, 20, 1,
            "On its first contact with any human other than an EnhancedShieldSoldier it instantly moves "
            f"{BOUNCE_PX} px ({BOUNCE_PX // CELL_PX} cells) left instead of attacking; once per life. "
            "While it touches an EnhancedShieldSoldier it does not jump. After its jump it fights normally.",
        ),
        DemonSpec(
            "ShieldBreakerDemon", 150, 150, 10, 20, 1,
            f"Deals {SHIELD_BREAKER_DAMAGE} melee damage to ShieldSoldier and EnhancedShieldSoldier.",
        ),
        DemonSpec(
            "FireDemon", 150, 0, 10, 20, 1,
            "Fire bullets deal it 0 damage; an ice bullet deals it "
            f"{ICE_VS_FIRE_DEMON} damage (and slows it).",
        ),
        DemonSpec(
            "FrostDemon", 150, 150, 10, 20, 1,
            f"Ice bullets have no effect on it; a fire bullet deals it {FIRE_VS_FROST_DEMON} damage.",
        ),
        DemonSpec(
            "FlyingDemon", 200, 200, 5, 20, 0,
            "Flies over humans: never stops, never attacks. Only anti-air bullets hit it (normal, fire and "
            "ice bullets fly through it); immune to explosions.",
        ),
        DemonSpec(
            "SummoningDemon", 400, 0, 10, 10, 1,
            "Periodically creates a NormalDemon near itself (see step 2 of each tick).",
        ),
    )
}

# fmt: on

#: The demon a SummoningDemon creates.
SUMMONED_DEMON = "NormalDemon"
