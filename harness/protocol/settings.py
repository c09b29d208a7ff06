"""Protocol settings of one match (architecture §5)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.limits import MAX_ROUNDS


class MatchSettings(BaseModel):
    """How a match is played.

    Attributes:
        rounds: The ``rounds`` setting R, 1 to :data:`~harness.limits.MAX_ROUNDS` (100): tower defense
            simulates R rounds (R−1 revisions), the other games R+1 rounds (R revisions), the last one
            labelled R again (the original loop; docs/records.md).
        revision: ``alternate`` (the paper: one side per step, ``first_reviser`` first), ``simultaneous``
            (both sides every step, from the same information) or ``none`` (plans stay fixed).
        first_reviser: Who revises first under ``alternate``.
        feedback: ``outcome`` (the paper: last winner, own cost vs budget, both plans) or ``detailed``
            (adds the battle summary).
        initial_attempts: Initial-plan attempts (None: the game's default, tower defense 5, others 3).
        invalid_plan_policy: What a revision with violations or an unreadable reply turns into:
            ``keep_previous`` (play the previous plan), ``empty`` (play the empty plan) or ``forfeit`` (the
            side loses the next round; its valid entries, if any, are played). Initial plans whose attempts
            all fail keep the last readable plan's valid entries (else the empty plan); under ``forfeit``
            the side also forfeits round 1.
        initial_plans: ``per_match`` or ``shared`` (the paper: one initial plan per model and side, reused in
            every match of a run).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rounds: int = Field(10, ge=1, le=MAX_ROUNDS)
    revision: Literal["alternate", "simultaneous", "none"] = "alternate"
    first_reviser: Literal["A", "B"] = "A"
    feedback: Literal["outcome", "detailed"] = "outcome"
    initial_attempts: int | None = Field(None, ge=1)
    invalid_plan_policy: Literal["keep_previous", "empty", "forfeit"] = "keep_previous"
    initial_plans: Literal["per_match", "shared"] = "per_match"
