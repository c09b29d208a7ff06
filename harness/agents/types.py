"""The agent interface: a :class:`DecisionRequest` in, a :class:`Decision` out (architecture §4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from games.core.game import Game
from games.core.types import SideKey, ValidatedPlan, Violation
from harness.models.types import ChatMessage, FinishReason, Usage
from harness.parsing import ParsedReply
from harness.prompts import RejectedSubmission, RevisionFeedback

Phase = Literal["initial", "revision"]
FailureClass = Literal[
    "ok",
    "infra_error",
    "truncated",
    "refused",
    "unparseable",
    "schema_violation",
    "rule_violation",
    "over_budget",
]
#: Failure classes in the order of precedence of docs/records.md ("first that applies").
FAILURE_CLASSES: tuple[FailureClass, ...] = (
    "ok",
    "infra_error",
    "truncated",
    "refused",
    "unparseable",
    "schema_violation",
    "rule_violation",
    "over_budget",
)


@dataclass(frozen=True)
class DecisionRequest:
    """What an agent is asked to decide.

    Attributes:
        game: The game being played.
        side: The side the agent plays.
        phase: ``initial`` (first plan, with retries) or ``revision``.
        round: The round whose result the decision answers (0 for initial plans).
        attempt: 1-based attempt number (initial-plan retries; always 1 for revisions).
        seed: The match seed (bots derive their per-decision rng from it; LLMs use it as sample index).
        rejected: Initial phase: the previous attempt when it was rejected (its feedback paragraph).
        feedback: Revision phase: what the protocol lets the agent see.
    """

    game: Game[Any]
    side: SideKey
    phase: Phase
    round: int
    attempt: int
    seed: int
    rejected: RejectedSubmission | None = None
    feedback: RevisionFeedback | None = None


@dataclass(frozen=True)
class Decision:
    """An agent's answer with everything the records need.

    Attributes:
        raw_text: The raw reply (bots: the canonical JSON of their plan).
        finish_reason: The model's normalised finish reason (bots: ``stop``).
        parsed: What the parser made of the reply.
        validated: The validator's result, or None when no plan object could be read.
        failure_class: The first class that applies, in the order of :data:`FAILURE_CLASSES`.
        violations: The submission's problems as violations; a parse-level failure is one violation whose
            code is the failure class.
        budget: The side's budget (to tell over-budget plans).
        usage: Token usage.
        cost_usd: Cost in USD (None when the price is unknown; bots 0).
        latency_s: Wall time of the decision.
        cache_hit: Whether the reply came from the response cache.
        attempts: Provider attempts (retries included; bots 1).
        prompt: The messages sent (None for bots), for transcripts.
    """

    raw_text: str
    finish_reason: FinishReason
    parsed: ParsedReply
    validated: ValidatedPlan | None
    failure_class: FailureClass
    violations: tuple[Violation, ...]
    budget: int
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = 0.0
    latency_s: float = 0.0
    cache_hit: bool = False
    attempts: int = 1
    prompt: tuple[ChatMessage, ...] | None = None

    @property
    def readable(self) -> bool:
        """True when a plan object was read (it may still have violations or be over budget)."""
        return self.validated is not None

    @property
    def accepted(self) -> bool:
        """True when the plan can be used as it is: read, no violations, within budget.

        A truncated (or refused) reply whose JSON was nevertheless complete and valid is usable, although
        its failure class still says what happened.
        """
        return self.validated is not None and self.validated.ok and not self.over_budget

    @property
    def usable(self) -> bool:
        """True when the plan can replace the current one in a revision: read and no violations.

        Revisions are not budget-checked (spec §1.4); the round's adjudication handles an over-budget plan.
        """
        return self.validated is not None and self.validated.ok

    @property
    def over_budget(self) -> bool:
        """True when a plan was read and costs more than the side's budget."""
        return self.validated is not None and self.validated.cost > self.budget


class Agent(Protocol):
    """Anything that plays one side: an LLM (prompt + model + parser) or a bot."""

    name: str

    async def decide(self, request: DecisionRequest) -> Decision:
        """Produce a decision; raise :class:`~harness.models.types.InfraError` when a model call failed."""
        ...
