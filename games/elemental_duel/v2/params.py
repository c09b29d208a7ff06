"""Parameters of ruleset v2 of the elemental duel (v1's, with a shorter duel action cap)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DuelParamsV2:
    """Tunable facts of a v2 elemental duel battle.

    Attributes:
        defenders_budget: Budget of side A (Defenders).
        invaders_budget: Budget of side B (Invaders).
        max_characters: Most characters a plan may list.
        max_skills: Most skills one character may list.
        start_hp: Hit points every character starts with; also its max HP (heals stop there).
        duel_action_cap: A duel still undecided after this many actions stops the whole battle with no winner.
        max_duels: The battle stops after this many duels (the invaders win if any invader is left).
    """

    defenders_budget: int = 20
    invaders_budget: int = 20
    max_characters: int = 3
    max_skills: int = 3
    start_hp: int = 100
    duel_action_cap: int = 200
    max_duels: int = 100
