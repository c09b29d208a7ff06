"""Round and decision records of one match: exactly the ``rounds`` / ``decisions`` rows of docs/records.md."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from games.core.types import SideKey, ValidatedPlan, canonical_json
from harness.agents.types import Decision, Phase


@dataclass(frozen=True)
class RoundRecord:
    """One simulated round (a row of the ``rounds`` table; JSON columns hold canonical JSON)."""

    match_id: str
    round: int
    label: int
    plan_a: str
    plan_b: str
    cost_a: int
    cost_b: int
    budget_a: int
    budget_b: int
    violations_a: str
    violations_b: str
    raw_winner: SideKey | None
    winner: SideKey | None
    reviser: str | None
    changed_a: int | None
    changed_b: int | None
    cost_changed_a: int | None
    cost_changed_b: int | None
    summary: str

    def to_row(self) -> dict[str, Any]:
        """The ``rounds`` row."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DecisionRecord:
    """One model call or bot decision (a row of the ``decisions`` table).

    ``prompt`` and ``finish_reason`` are not columns: they travel with live records for transcripts only.
    """

    match_id: str
    seq: int
    side: SideKey
    model: str
    phase: Phase
    round: int
    attempt: int
    failure_class: str
    raw_text: str
    parse_error: str | None
    plan: str | None
    cost: int | None
    violations: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cost_usd: float | None
    latency_s: float
    cache_hit: int
    attempts: int
    reused: int
    prompt: str | None = field(default=None, compare=False)
    finish_reason: str | None = field(default=None, compare=False)

    def to_row(self) -> dict[str, Any]:
        """The ``decisions`` row (without the transcript-only fields)."""
        row = dataclasses.asdict(self)
        del row["prompt"], row["finish_reason"]
        return row


#: Column names, in table order (tests and the store can check them against docs/records.md).
ROUND_COLUMNS = tuple(f.name for f in dataclasses.fields(RoundRecord))
DECISION_COLUMNS = tuple(
    f.name for f in dataclasses.fields(DecisionRecord) if f.name not in ("prompt", "finish_reason")
)


@dataclass(frozen=True)
class MatchResult:
    """The outcome of one finished match.

    Attributes:
        rounds: Round records in order.
        decisions: Decision records in ``seq`` order.
        winner: The adjudicated winner of the last round.
        n_rounds: Number of round records.
        input_tokens: Total over decisions made in this match (reused shared initial plans not counted).
        output_tokens: Same for output tokens.
        cost_usd: Total cost, None if any counted call's price is unknown.
    """

    rounds: list[RoundRecord]
    decisions: list[DecisionRecord]
    winner: SideKey | None
    n_rounds: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None


def violations_json(items: list[dict[str, Any]]) -> str:
    """Canonical JSON of a violation list."""
    return canonical_json(items)


def plan_json(plan: ValidatedPlan) -> str:
    """Canonical JSON of a played plan."""
    return plan.canonical_json()


def decision_record(
    decision: Decision,
    *,
    match_id: str,
    seq: int,
    side: SideKey,
    model: str,
    phase: Phase,
    round: int,
    attempt: int,
    reused: bool,
) -> DecisionRecord:
    """The record of one decision."""
    vp = decision.validated
    parse_error = None if vp is not None else "; ".join(v.message for v in decision.violations) or None
    prompt = None
    if decision.prompt is not None:
        prompt = "\n\n".join(f"[{m.role}]\n{m.content}" for m in decision.prompt)
    return DecisionRecord(
        match_id=match_id,
        seq=seq,
        side=side,
        model=model,
        phase=phase,
        round=round,
        attempt=attempt,
        failure_class=decision.failure_class,
        raw_text=decision.raw_text,
        parse_error=parse_error,
        plan=vp.canonical_json() if vp is not None else None,
        cost=vp.cost if vp is not None else None,
        violations=canonical_json([v.to_dict() for v in decision.violations]),
        input_tokens=decision.usage.input_tokens,
        output_tokens=decision.usage.output_tokens,
        cached_tokens=decision.usage.cached_tokens,
        cost_usd=decision.cost_usd,
        latency_s=decision.latency_s,
        cache_hit=int(decision.cache_hit),
        attempts=decision.attempts,
        reused=int(reused),
        prompt=prompt,
        finish_reason=decision.finish_reason,
    )


def infra_record(
    error: Exception,
    *,
    match_id: str,
    seq: int,
    side: SideKey,
    model: str,
    phase: Phase,
    round: int,
    attempt: int,
) -> DecisionRecord:
    """The record of a call that failed with an infrastructure error (the match is voided)."""
    return DecisionRecord(
        match_id=match_id,
        seq=seq,
        side=side,
        model=model,
        phase=phase,
        round=round,
        attempt=attempt,
        failure_class="infra_error",
        raw_text="",
        parse_error=str(error),
        plan=None,
        cost=None,
        violations="[]",
        input_tokens=0,
        output_tokens=0,
        cached_tokens=0,
        cost_usd=None,
        latency_s=0.0,
        cache_hit=0,
        attempts=int(getattr(error, "attempts", 1)),
        reused=0,
    )


def summary_json(summary: dict[str, Any]) -> str:
    """Canonical JSON of a battle summary (falls back to plain JSON for odd values)."""
    try:
        return canonical_json(summary)
    except (TypeError, ValueError):
        return json.dumps(summary, sort_keys=True, default=str)
