"""One match: initial plans, then simulated rounds with adjudication and revisions (spec §1.3–1.5).

The loop keeps the original's record counts (docs/records.md): tower defense simulates R rounds with R−1
revisions; the other games R+1 rounds with R revisions, the last one labelled R again. With ``revision =
none`` the same number of rounds is simulated with fixed plans.

Both agents are called concurrently where the protocol allows it (the two initial phases; simultaneous
revisions); two bots, whose decisions never wait, are called one after the other in the same order
instead, which saves the event loop's tasks and turns a bot match would otherwise spend. Decision
records are numbered afterwards in a fixed order — initial attempts interleaved by attempt number (A
before B), revisions A before B — so the records never depend on timing.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from games.core.errors import StratagemError
from games.core.game import Game
from games.core.types import SIDE_KEYS, SideKey, ValidatedPlan, other_side
from harness.agents.bot import BotAgent
from harness.agents.types import Agent, Decision, DecisionRequest, Phase
from harness.models.types import InfraError
from harness.prompts import RejectedSubmission, RevisionFeedback
from harness.protocol import battles
from harness.protocol.adjudicate import adjudicate
from harness.protocol.initial import (
    InitialOutcome,
    InitialPlanCache,
    agent_key,
    game_fingerprint,
    initial_phase,
    rejected_submission,
)
from harness.protocol.records import (
    DecisionRecord,
    MatchResult,
    RoundRecord,
    decision_record,
    infra_record,
    round_record,
    violations_text,
)
from harness.protocol.settings import MatchSettings

T = TypeVar("T")


class MatchVoided(StratagemError):
    """An infrastructure failure (after the model layer's retries) voided the match; never a loss.

    Attributes:
        reason: What failed (side, phase, the error message).
        decisions: The decision records made before and at the failure (the last one ``infra_error``).
        cause: The model layer's error class behind it (``Fatal``, ``Transient``, ``RateLimited``…); a
            ``Fatal`` cause (bad key, bad request, unknown model) will fail again, so it is not re-queued.
    """

    def __init__(self, reason: str, decisions: list[DecisionRecord], cause: str = "Transient") -> None:
        super().__init__(reason)
        self.reason = reason
        self.decisions = decisions
        self.cause = cause


def simulated_rounds(game: Game[Any], rounds: int) -> int:
    """How many rounds the original loop simulates for the ``rounds`` setting R."""
    return rounds + 1 if game.final_extra_round else rounds


@dataclass
class _SideState:
    agent: Agent
    plan: ValidatedPlan
    violations: str = "[]"
    rejected: RejectedSubmission | None = None
    forfeit_next: bool = False


@dataclass
class _Run:
    game: Game[Any]
    agents: dict[SideKey, Agent]
    settings: MatchSettings
    seed: int
    match_id: str
    on_round: Callable[[RoundRecord], None] | None
    on_decision: Callable[[DecisionRecord], None] | None
    decisions: list[DecisionRecord] = field(default_factory=list)
    rounds: list[RoundRecord] = field(default_factory=list)
    inline: bool = False  # both agents are bots: their decisions run one after the other

    def _identity(self, side: SideKey, phase: Phase, round_: int, attempt: int) -> dict[str, Any]:
        """Where the next decision record sits: match, order, side, model, phase, round, attempt."""
        return {
            "match_id": self.match_id,
            "seq": len(self.decisions),
            "side": side,
            "model": self.agents[side].name,
            "phase": phase,
            "round": round_,
            "attempt": attempt,
        }

    def _append(self, record: DecisionRecord) -> None:
        self.decisions.append(record)
        if self.on_decision is not None:
            self.on_decision(record)

    def emit(
        self, side: SideKey, decision: Decision, phase: Phase, round_: int, attempt: int, reused: bool
    ) -> None:
        self._append(decision_record(decision, **self._identity(side, phase, round_, attempt), reused=reused))

    def void(self, side: SideKey, error: InfraError, phase: Phase, round_: int, attempt: int) -> MatchVoided:
        self._append(infra_record(error, **self._identity(side, phase, round_, attempt)))
        reason = f"side {side} ({self.agents[side].name}), {phase} round {round_} attempt {attempt}: {error}"
        return MatchVoided(reason, list(self.decisions), cause=error.cause)


async def _gather_ordered(coros: Sequence[Coroutine[Any, Any, T]], *, inline: bool = False) -> list[T]:
    """Run coroutines concurrently; re-raise the first exception in argument order after all finished.

    A single coroutine is simply awaited, and with ``inline`` (both agents are bots: their decisions are
    pure CPU work that never waits) the coroutines run one after the other in argument order, the order
    their tasks would run in: no task and no event-loop turn is spent on them.
    """
    if len(coros) == 1 or inline:
        done: list[T] = []
        error: Exception | None = None
        for coro in coros:
            try:
                done.append(await coro)
            except Exception as exc:  # the others still run, as under gather
                error = error or exc
        if error is not None:
            raise error
        return done
    results = await asyncio.gather(*coros, return_exceptions=True)
    out: list[T] = []
    for r in results:
        if isinstance(r, BaseException):
            raise r
        out.append(r)
    return out


async def play_match(
    game: Game[Any],
    agent_a: Agent,
    agent_b: Agent,
    settings: MatchSettings,
    *,
    seed: int,
    match_id: str,
    initial_plans: InitialPlanCache | None = None,
    on_round: Callable[[RoundRecord], None] | None = None,
    on_decision: Callable[[DecisionRecord], None] | None = None,
) -> MatchResult:
    """Play one match and return its records.

    Args:
        game: The game.
        agent_a: The agent of side A (humans / defenders).
        agent_b: The agent of side B.
        settings: Protocol settings.
        seed: The match seed (bots' rngs and LLM sample indexes derive from it).
        match_id: Written into every record.
        initial_plans: The run's shared initial plans; used when ``settings.initial_plans == "shared"``
            (a match without one then behaves like ``per_match``).
        on_round: Called with each round record as soon as it exists.
        on_decision: Called with each decision record as soon as it is numbered.

    Raises:
        MatchVoided: A model call failed with an infrastructure error.
        CacheMiss: Replay-only response cache without a needed reply (a user error; propagated unchanged).
    """
    run = _Run(game, {"A": agent_a, "B": agent_b}, settings, seed, match_id, on_round, on_decision)
    run.inline = isinstance(agent_a, BotAgent) and isinstance(agent_b, BotAgent)
    states = await _initial_plans(run, initial_plans)
    await _rounds(run, states)
    input_tokens = sum(d.input_tokens for d in run.decisions if not d.reused)
    output_tokens = sum(d.output_tokens for d in run.decisions if not d.reused)
    costs = [d.cost_usd for d in run.decisions if not d.reused]
    cost_usd = None if any(c is None for c in costs) else float(sum(c for c in costs if c is not None))
    return MatchResult(
        rounds=run.rounds,
        decisions=run.decisions,
        winner=run.rounds[-1].winner,
        n_rounds=len(run.rounds),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost_usd,
    )


async def _initial_plans(run: _Run, cache: InitialPlanCache | None) -> dict[SideKey, _SideState]:
    game, settings = run.game, run.settings
    attempts = settings.initial_attempts or game.default_initial_attempts

    async def one(side: SideKey) -> tuple[InitialOutcome, bool]:
        agent = run.agents[side]

        async def make() -> InitialOutcome:
            return await initial_phase(game, agent, side, attempts, run.seed)

        if settings.initial_plans == "shared" and cache is not None:
            return await cache.get_or_make((agent_key(agent), side, game_fingerprint(game, attempts)), make)
        return await make(), False

    outcomes = await _gather_ordered([one("A"), one("B")], inline=run.inline)
    by_side = dict(zip(SIDE_KEYS, outcomes, strict=True))
    for attempt in range(1, attempts + 1):
        for side in SIDE_KEYS:
            outcome, reused = by_side[side]
            if attempt <= len(outcome.decisions):
                run.emit(side, outcome.decisions[attempt - 1], "initial", 0, attempt, reused)
    for side in SIDE_KEYS:
        outcome, _ = by_side[side]
        if outcome.infra is not None:
            raise run.void(side, outcome.infra, "initial", 0, len(outcome.decisions) + 1)

    states: dict[SideKey, _SideState] = {}
    for side in SIDE_KEYS:
        outcome, _ = by_side[side]
        state = _SideState(run.agents[side], outcome.plan)
        if outcome.decisions:
            state.violations = violations_text(outcome.decisions[-1].violations)
        state.forfeit_next = outcome.failed and settings.invalid_plan_policy == "forfeit"
        states[side] = state
    return states


def _revisers(settings: MatchSettings, step: int) -> tuple[SideKey, ...]:
    """Who revises after round ``step`` (1-based loop index of spec §1.4)."""
    if settings.revision == "none":
        return ()
    if settings.revision == "simultaneous":
        return SIDE_KEYS
    first: SideKey = settings.first_reviser
    order = (first, other_side(first))
    return (order[(step - 1) % 2],)


# Each game object's side budgets (games are immutable once built; ``Game.side`` rebuilds its sides).
_BUDGETS: weakref.WeakKeyDictionary[Game[Any], dict[SideKey, int]] = weakref.WeakKeyDictionary()


def _budgets(game: Game[Any]) -> dict[SideKey, int]:
    budgets = _BUDGETS.get(game)
    if budgets is None:
        budgets = _BUDGETS[game] = {s: game.side(s).budget for s in SIDE_KEYS}
    return budgets


def _flag(now: Any, before: Any) -> int:
    return int(now != before)


async def _rounds(run: _Run, states: dict[SideKey, _SideState]) -> None:
    game, settings = run.game, run.settings
    total = simulated_rounds(game, settings.rounds)
    reviser: str | None = None
    previous: RoundRecord | None = None
    budgets = _budgets(game)
    for k in range(1, total + 1):
        plan_a, plan_b = states["A"].plan, states["B"].plan
        json_a, json_b = plan_a.canonical_json(), plan_b.canonical_json()
        result, summary = battles.simulate(game, plan_a, plan_b, json_a, json_b)
        forfeits = [s for s in SIDE_KEYS if states[s].forfeit_next]
        winner = adjudicate(result.winner, plan_a.cost, plan_b.cost, budgets["A"], budgets["B"], forfeits)
        record = round_record(
            match_id=run.match_id,
            round=k,
            label=min(k, settings.rounds),
            plan_a=json_a,
            plan_b=json_b,
            cost_a=plan_a.cost,
            cost_b=plan_b.cost,
            budget_a=budgets["A"],
            budget_b=budgets["B"],
            violations_a=states["A"].violations,
            violations_b=states["B"].violations,
            raw_winner=result.winner,
            winner=winner,
            reviser=reviser,
            changed_a=None if previous is None else _flag(json_a, previous.plan_a),
            changed_b=None if previous is None else _flag(json_b, previous.plan_b),
            cost_changed_a=None if previous is None else _flag(plan_a.cost, previous.cost_a),
            cost_changed_b=None if previous is None else _flag(plan_b.cost, previous.cost_b),
            summary=summary,
        )
        run.rounds.append(record)
        if run.on_round is not None:
            run.on_round(record)
        previous = record
        for s in SIDE_KEYS:
            states[s].forfeit_next = False
        if k == total:
            break
        sides = _revisers(settings, k)
        reviser = "".join(sides) or None
        if not sides:
            continue
        # Every reviser's request is built before any plan changes: simultaneous revisions see the same state.
        requests = {s: _revision_request(run, states, s, k, winner, result.summary) for s in sides}
        outcomes = await _gather_ordered(
            [_decide(states[s].agent, requests[s]) for s in sides], inline=run.inline
        )
        made: list[tuple[SideKey, Decision]] = []
        for s, outcome in zip(sides, outcomes, strict=True):
            if outcome.decision is not None:
                run.emit(s, outcome.decision, "revision", k, 1, False)
                made.append((s, outcome.decision))
        for s, outcome in zip(sides, outcomes, strict=True):
            if outcome.infra is not None:
                # Decisions that did succeed are kept in the voided match's records before the failure.
                raise run.void(s, outcome.infra, "revision", k, 1)
        for s, decision in made:
            _apply_revision(game, settings, states[s], s, decision)


@dataclass(frozen=True)
class _Outcome:
    """A decision or the infrastructure error that prevented it (never raised through gather)."""

    decision: Decision | None
    infra: InfraError | None = None


async def _decide(agent: Agent, request: DecisionRequest) -> _Outcome:
    try:
        return _Outcome(await agent.decide(request))
    except InfraError as exc:
        return _Outcome(None, exc)


def _revision_request(
    run: _Run,
    states: dict[SideKey, _SideState],
    side: SideKey,
    k: int,
    winner: SideKey | None,
    summary: dict[str, Any],
) -> DecisionRequest:
    state = states[side]
    feedback = RevisionFeedback(
        mode=run.settings.feedback,
        last_winner=winner,
        own_plan=state.plan,
        opponent_plan=states[other_side(side)].plan,
        summary=summary if run.settings.feedback == "detailed" else None,
        rejected=state.rejected,
        policy=run.settings.invalid_plan_policy,
    )
    return DecisionRequest(run.game, side, "revision", k, 1, run.seed, feedback=feedback)


def _apply_revision(
    game: Game[Any], settings: MatchSettings, state: _SideState, side: SideKey, d: Decision
) -> None:
    """Replace the side's plan by its revision, or apply the invalid-plan policy."""
    state.violations = violations_text(d.violations)
    if d.usable and d.validated is not None:
        state.plan = d.validated
        state.rejected = None
        return
    state.rejected = rejected_submission(d, 1)
    policy = settings.invalid_plan_policy
    if policy == "empty":
        state.plan = game.empty_plan(side)
    elif policy == "forfeit":
        state.plan = d.validated if d.validated is not None else game.empty_plan(side)
        state.forfeit_next = True
    # keep_previous: the plan stays as it is.
