"""Static facts about the three games that the metrics need: role names, winner labels, original budgets.

Kept here (spec §1.1) rather than imported from ``games/`` so that metrics can read any store, even for a
game whose engine is not installed. Unknown games fall back to the defender/invader naming.
"""

from __future__ import annotations

from typing import Final

GAMES: Final = ("tower_defense", "battle_card", "elemental_duel")

_ROLES: Final[dict[str, tuple[str, str]]] = {"tower_defense": ("human", "demon")}
_LABELS: Final[dict[str, tuple[str, str]]] = {"tower_defense": ("Human", "Demon")}
# The released evaluator hard-codes these budgets and ignores its command-line options (spec §5).
_ORIGINAL_BUDGETS: Final[dict[str, tuple[int, int]]] = {"tower_defense": (2000, 1500)}


def role_names(game: str) -> tuple[str, str]:
    """Lower-case role names of side A and side B (``human``/``demon`` or ``defender``/``invader``)."""
    return _ROLES.get(game, ("defender", "invader"))


def winner_labels(game: str) -> tuple[str, str]:
    """Winner labels the original simulator printed for side A and side B."""
    return _LABELS.get(game, ("Defenders", "Invaders"))


def original_budgets(game: str) -> tuple[int, int]:
    """Budgets the released evaluator hard-codes for side A and side B."""
    return _ORIGINAL_BUDGETS.get(game, (20, 20))
