"""The engine constants of one tower defense ruleset, as one object the engine, validator and bots read.

Ruleset v1 is :data:`V1_RULES`, built from :mod:`games.tower_defense.catalogue` (the v1 source of truth).
Later rulesets (``games.tower_defense.v2``) build their own :class:`TDRules` from their own catalogue, so
one engine plays every ruleset and v1 stays exactly what it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from games.tower_defense import catalogue as c


@dataclass(frozen=True)
class TDRules:
    """Units and engine constants of one ruleset (defaults: ruleset v1, spec §2.4–2.9).

    Attributes:
        ruleset: The ruleset's name (``"v1"``, ``"v2"``, ...).
        humans: The human catalogue by name (plan order of the rules text).
        demons: The demon catalogue by name.
        base_speed_px: Speed a demon gets back when a slow ends.
        slow_speed_px: Speed of a slowed demon; ``slow_ticks``: slow duration.
        melee_cooldown_ticks: Ticks between two attacks (or after the spawn); ``stagger_ticks``: ticks
            without moving or attacking after an attack; ``wobble_px``: the stagger wobble.
        bounce_px: BouncingDemon jump distance.
        explosion_rows_above: LinearExplosion hits its own row and this many rows above it.
        explosion_rows_below: ... and this many rows below it.
        shield_demon_factor: ShieldDemon's factor on normal-bullet damage.
        ice_vs_fire_demon: Ice-bullet damage to FireDemon; ``fire_vs_frost_demon``: fire damage to FrostDemon.
        machine_active_speed_px: MachineDemon speed after activation; ``machine_active_damage``: its melee.
        shield_breaker_damage: ShieldBreakerDemon damage to the two shield soldiers.
        summon_ticks: SummoningDemon interval; ``summoned_demon``: what it creates.
        lives: Demons that must reach the goal for a Demon win (v1: 1, the first one ends the battle).
            With more than one, a demon reaching the goal leaves the board and costs one life.
        unit_caps: Most entries of one unit name a plan may field (absent name: no cap).
        max_spawn_time: Latest ``spawn_time`` a plan may give (game ms; ``None``: no limit).
        mines: LinearExplosion's fuse starts when a demon first touches it instead of at its placement
            (v1: at placement).
    """

    ruleset: str = "v1"
    humans: Mapping[str, c.HumanSpec] = field(default_factory=lambda: c.HUMANS)
    demons: Mapping[str, c.DemonSpec] = field(default_factory=lambda: c.DEMONS)
    base_speed_px: int = c.BASE_SPEED_PX
    slow_speed_px: int = c.SLOW_SPEED_PX
    slow_ticks: int = c.SLOW_TICKS
    melee_cooldown_ticks: int = c.MELEE_COOLDOWN_TICKS
    stagger_ticks: int = c.STAGGER_TICKS
    wobble_px: int = c.WOBBLE_PX
    bounce_px: int = c.BOUNCE_PX
    explosion_rows_above: int = c.EXPLOSION_ROWS_ABOVE
    explosion_rows_below: int = 0
    shield_demon_factor: float = c.SHIELD_DEMON_FACTOR
    ice_vs_fire_demon: int = c.ICE_VS_FIRE_DEMON
    fire_vs_frost_demon: int = c.FIRE_VS_FROST_DEMON
    machine_active_speed_px: int = c.MACHINE_ACTIVE_SPEED_PX
    machine_active_damage: int = c.MACHINE_ACTIVE_DAMAGE
    shield_breaker_damage: int = c.SHIELD_BREAKER_DAMAGE
    summon_ticks: int = c.SUMMON_TICKS
    summoned_demon: str = c.SUMMONED_DEMON
    lives: int = 1
    unit_caps: Mapping[str, int] = field(default_factory=dict)
    max_spawn_time: int | None = None
    mines: bool = False

    def units(self, side: str) -> Mapping[str, c.HumanSpec] | Mapping[str, c.DemonSpec]:
        """The catalogue of side ``"A"`` (humans) or ``"B"`` (demons)."""
        return self.humans if side == "A" else self.demons

    def costs(self, side: str) -> dict[str, int]:
        """Budget cost of every unit name of ``side``."""
        return {name: spec.cost for name, spec in self.units(side).items()}


#: Ruleset v1: the AdvGameBench engine as it was run.
V1_RULES = TDRules()
