"""Parameters of the battle card game (spec §1.1, §3.2) with the original values as defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BattleCardParams:
    """Tunable facts of a battle card match.

    Attributes:
        defenders_budget: Budget of side A (Defenders).
        invaders_budget: Budget of side B (Invaders).
        max_units: Most entries a plan may list; also the line size that ShadowOverlord fills up to and
            that StoneWarrior's RockBeetle needs room below.
    """

    defenders_budget: int = 20
    invaders_budget: int = 20
    max_units: int = 7
