"""What a prompt may tell a model besides the rules: retry feedback and revision feedback.

These are plain values built by the match protocol; the templates decide how they read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from games.core.types import SideKey, ValidatedPlan, Violation

FeedbackMode = Literal["outcome", "detailed"]
PlanPolicy = Literal["keep_previous", "empty", "forfeit"]


@dataclass(frozen=True)
class RejectedSubmission:
    """A submission that could not be used as it was (over budget, violations, unreadable).

    Attributes:
        attempt: The 1-based attempt number of that submission (initial phase) or 1 (revisions).
        failure_class: ``over_budget``, ``rule_violation``, ``schema_violation``, ``unparseable``,
            ``truncated`` or ``refused``.
        budget: The side's budget.
        cost: Cost of the valid part of the plan, or None when no plan could be read.
        violations: The validator's violations (empty for parse-level failures).
        error: Why the reply could not be read, for parse-level failures.
        previous_output: The text to re-print: the rejected plan as read (formatted JSON, see
            :func:`harness.prompts.render.format_json`) or, when nothing could be read, an excerpt of the raw
            reply.
    """

    attempt: int
    failure_class: str
    budget: int
    cost: int | None
    violations: tuple[Violation, ...]
    error: str | None
    previous_output: str


@dataclass(frozen=True)
class RevisionFeedback:
    """Everything a revision prompt may show (spec §1.6; ``detailed`` adds the battle summary).

    Attributes:
        mode: ``outcome`` (the paper's feedback) or ``detailed``.
        last_winner: The adjudicated winner of the last round, or None.
        own_plan: The plan this side played in the last round (cost and budget come from it).
        opponent_plan: The opponent's current plan.
        summary: The last battle's summary (shown only in ``detailed`` mode).
        rejected: This side's last submission when it could not be used as it was, else None.
        policy: What the protocol did with such a submission (how the note reads).
    """

    mode: FeedbackMode
    last_winner: SideKey | None
    own_plan: ValidatedPlan
    opponent_plan: ValidatedPlan
    summary: dict[str, Any] | None = None
    rejected: RejectedSubmission | None = None
    policy: PlanPolicy = "keep_previous"
