"""Parameters of ruleset v2 of the elemental duel: v1's, with a shorter duel action cap."""

from __future__ import annotations

from dataclasses import dataclass

from games.elemental_duel.params import DuelParams


@dataclass(frozen=True)
class DuelParamsV2(DuelParams):
    """v1's :class:`DuelParams` with v2's defaults.

    ``start_hp`` is also every character's max HP (heals stop there), ``max_skills`` also the number of
    skill slots, and a duel still undecided after ``duel_action_cap`` actions (200, v1 1000) stops the
    battle with no winner.
    """

    duel_action_cap: int = 200
