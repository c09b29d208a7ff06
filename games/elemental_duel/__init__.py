"""Elemental Turn-based duels (spec §4), ruleset v1: Defenders (A) vs Invaders (B)."""

from games.elemental_duel.game import ElementalDuel
from games.elemental_duel.params import DuelParams

__all__ = ["DuelParams", "ElementalDuel"]
