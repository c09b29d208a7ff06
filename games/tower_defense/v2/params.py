"""Parameters of tower defense ruleset v2: v1's, plus lives, the FlyingDemon cap and the spawn-time limit."""

from __future__ import annotations

from dataclasses import dataclass

from games.core.errors import ParameterError
from games.tower_defense.params import TowerDefenseParams


@dataclass(frozen=True)
class TowerDefenseV2Params(TowerDefenseParams):
    """Tunable facts of a v2 tower defense match (v1's attributes, with a shorter tick cap).

    Attributes:
        tick_cap: A battle still undecided after this many ticks ends as a Human win (v1: 100 000).
        lives: Demons that must reach the goal for a Demon win; each one that does costs a life and leaves.
        flying_cap: Most FlyingDemon entries one demon plan may list.
        max_spawn_time: Latest ``spawn_time`` (game ms) an entry may give.
    """

    tick_cap: int = 1000
    lives: int = 3
    flying_cap: int = 2
    max_spawn_time: int = 10_000

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.lives < 1:
            raise ParameterError(f"parameter 'lives' must be >= 1, got {self.lives!r}")
