"""Parameters of the elemental duel game (spec §1.1, §4.2, §4.10) with the original values as defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DuelParams:
    """Tunable facts of an elemental duel battle.

    Attributes:
        defenders_budget: Budget of side A (Defenders).
        invaders_budget: Budget of side B (Invaders).
        max_characters: Most characters a plan may list.
        max_skills: Most skills one character may list.
        start_hp: Hit points every character starts the battle with.
        duel_action_cap: A duel still undecided after this many actions stops the whole battle with no winner.
        max_duels: The battle stops after this many duels (the invaders win if any invader is left).
    """

    defenders_budget: int = 20
    invaders_budget: int = 20
    max_characters: int = 3
    max_skills: int = 3
    start_hp: int = 100
    duel_action_cap: int = 1000
    max_duels: int = 100
