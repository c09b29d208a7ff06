"""Tower Defense (Human vs Demon), ruleset v1: spec §2, canonical fixed-timestep model A."""

from games.tower_defense.game import TowerDefense

__all__ = ["TowerDefense"]
