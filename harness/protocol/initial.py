"""The initial-plan phase (spec §1.3) and the cache that shares initial plans across matches."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from games.core.game import Game
from games.core.types import SideKey, ValidatedPlan, canonical_json
from harness.agents.types import Agent, Decision, DecisionRequest
from harness.models.types import InfraError
from harness.prompts import RejectedSubmission, format_json
from harness.protocol.versions import PARSER_VERSION, PROMPT_VERSION

#: Raw replies re-printed as "previous output" are cut to this many characters.
EXCERPT_CHARS = 600


@dataclass(frozen=True)
class InitialOutcome:
    """The result of one side's initial phase.

    Attributes:
        decisions: Every attempt's decision, in order.
        plan: The plan the side starts with.
        failed: True when no attempt was accepted (the fallback plan is played).
        infra: The infrastructure error that interrupted the phase, if any (the match is voided).
    """

    decisions: tuple[Decision, ...]
    plan: ValidatedPlan
    failed: bool
    infra: InfraError | None = None


def rejected_submission(decision: Decision, attempt: int) -> RejectedSubmission:
    """The feedback view of a rejected decision (what the next prompt re-prints)."""
    parsed = decision.parsed
    if parsed.status != "unparseable" and parsed.value is not None:
        previous = format_json(parsed.value)
    else:
        raw = decision.raw_text.strip()
        previous = (raw[:EXCERPT_CHARS] + " …") if len(raw) > EXCERPT_CHARS else (raw or "(empty reply)")
    vp = decision.validated
    return RejectedSubmission(
        attempt=attempt,
        failure_class=decision.failure_class,
        budget=decision.budget,
        cost=vp.cost if vp is not None else None,
        violations=vp.violations if vp is not None else (),
        error=None if vp is not None else "; ".join(v.message for v in decision.violations),
        previous_output=previous,
    )


async def initial_phase(
    game: Game[Any], agent: Agent, side: SideKey, attempts: int, seed: int
) -> InitialOutcome:
    """Ask for a plan until one is accepted (read, no violations, within budget) or attempts run out.

    Each retry carries one feedback paragraph about the previous attempt only (spec §1.3). After the last
    failed attempt the side plays the valid entries of the last readable plan, else the empty plan.
    An :class:`InfraError` ends the phase early and is returned in the outcome, with the attempts so far.
    """
    decisions: list[Decision] = []
    rejected: RejectedSubmission | None = None
    fallback: ValidatedPlan | None = None
    for attempt in range(1, attempts + 1):
        request = DecisionRequest(game, side, "initial", 0, attempt, seed, rejected=rejected)
        try:
            decision = await agent.decide(request)
        except InfraError as exc:
            return InitialOutcome(tuple(decisions), game.empty_plan(side), True, exc)
        decisions.append(decision)
        if decision.accepted and decision.validated is not None:
            return InitialOutcome(tuple(decisions), decision.validated, False)
        if decision.validated is not None:
            fallback = decision.validated
        rejected = rejected_submission(decision, attempt)
    return InitialOutcome(tuple(decisions), fallback or game.empty_plan(side), True)


def game_fingerprint(game: Game[Any], attempts: int) -> str:
    """What makes two initial phases interchangeable: game, ruleset, params, prompt/parser, attempts."""
    return canonical_json(
        [game.name, game.ruleset, game.params_dict(), PROMPT_VERSION, PARSER_VERSION, attempts]
    )


def agent_key(agent: Agent) -> str:
    """The agent's identity for sharing: its ``cache_key`` when it has one (LLMs), else its name."""
    key = getattr(agent, "cache_key", None)
    return key if isinstance(key, str) else agent.name


class InitialPlanCache:
    """One initial phase per (agent, side, game fingerprint), shared by every match of a run.

    Concurrent matches asking for the same key wait on one lock, so the plan is generated once. A phase
    interrupted by an infrastructure error is not cached (the next match tries again).
    """

    def __init__(self) -> None:
        self._outcomes: dict[tuple[str, str, str], InitialOutcome] = {}
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}

    async def get_or_make(
        self, key: tuple[str, str, str], make: Callable[[], Awaitable[InitialOutcome]]
    ) -> tuple[InitialOutcome, bool]:
        """The cached outcome for ``key`` (reused = True) or a freshly made one (reused = False)."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._outcomes.get(key)
            if cached is not None:
                return cached, True
            outcome = await make()
            if outcome.infra is None:
                self._outcomes[key] = outcome
            return outcome, False

    def __len__(self) -> int:
        return len(self._outcomes)
