"""Battle card auto-battler (Defenders vs Invaders), ruleset v1 — spec §3."""

from games.battle_card.game import BattleCard

__all__ = ["BattleCard"]
