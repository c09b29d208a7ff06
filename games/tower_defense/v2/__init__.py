"""Tower defense, ruleset v2: lives, mines, a FlyingDemon cap and short battles (the balanced ruleset)."""

from games.tower_defense.v2.game import TowerDefenseV2

__all__ = ["TowerDefenseV2"]
