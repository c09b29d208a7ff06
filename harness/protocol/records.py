"""Round and decision records of one match: exactly the ``rounds`` / ``decisions`` rows of docs/records.md."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from games.core.errors import EngineError
from games.core.types import SideKey, ValidatedPlan, Violation, canonical_json
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

    COLUMNS: ClassVar[tuple[str, ...]] = ()  # set below: ROUND_COLUMNS

    def row_values(self) -> tuple[Any, ...]:
        """The ``rounds`` row's values in :data:`ROUND_COLUMNS` order (what the store inserts)."""
        return (
            self.match_id,
            self.round,
            self.label,
            self.plan_a,
            self.plan_b,
            self.cost_a,
            self.cost_b,
            self.budget_a,
            self.budget_b,
            self.violations_a,
            self.violations_b,
            self.raw_winner,
            self.winner,
            self.reviser,
            self.changed_a,
            self.changed_b,
            self.cost_changed_a,
            self.cost_changed_b,
            self.summary,
        )

    def to_row(self) -> dict[str, Any]:
        """The ``rounds`` row (every field is a plain value: no copy is needed)."""
        return dict(zip(ROUND_COLUMNS, self.row_values(), strict=True))


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

    COLUMNS: ClassVar[tuple[str, ...]] = ()  # set below: DECISION_COLUMNS

    def row_values(self) -> tuple[Any, ...]:
        """The ``decisions`` row's values in :data:`DECISION_COLUMNS` order (what the store inserts)."""
        return (
            self.match_id,
            self.seq,
            self.side,
            self.model,
            self.phase,
            self.round,
            self.attempt,
            self.failure_class,
            self.raw_text,
            self.parse_error,
            self.plan,
            self.cost,
            self.violations,
            self.input_tokens,
            self.output_tokens,
            self.cached_tokens,
            self.cost_usd,
            self.latency_s,
            self.cache_hit,
            self.attempts,
            self.reused,
        )

    def to_row(self) -> dict[str, Any]:
        """The ``decisions`` row (without the transcript-only fields)."""
        return dict(zip(DECISION_COLUMNS, self.row_values(), strict=True))


#: Column names, in table order (tests and the store check them against docs/records.md); each record's
#: ``row_values()`` lists its values in this order, and ``COLUMNS`` names the order a record type uses.
ROUND_COLUMNS = tuple(f.name for f in dataclasses.fields(RoundRecord))
DECISION_COLUMNS = tuple(
    f.name for f in dataclasses.fields(DecisionRecord) if f.name not in ("prompt", "finish_reason")
)
RoundRecord.COLUMNS = ROUND_COLUMNS
DecisionRecord.COLUMNS = DECISION_COLUMNS
_FIELDS: dict[type, frozenset[str]] = {
    cls: frozenset(f.name for f in dataclasses.fields(cls)) for cls in (RoundRecord, DecisionRecord)
}

_R = TypeVar("_R", RoundRecord, DecisionRecord)


def _made(cls: type[_R], fields: dict[str, Any]) -> _R:
    """A record of ``cls`` holding exactly ``fields``, made without its generated ``__init__``.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``; for the nine
    records of a bot match that is a measurable share of the match's bookkeeping. The record is the same
    (equality, hashing, repr and immutability come from the class); every field must be given.

    Raises:
        EngineError: ``fields`` does not name exactly the record's fields.
    """
    if fields.keys() != _FIELDS[cls]:
        raise EngineError(f"{cls.__name__} fields {sorted(fields)} are not {sorted(_FIELDS[cls])}")
    record: _R = object.__new__(cls)
    record.__dict__.update(fields)
    return record


def round_record(**fields: Any) -> RoundRecord:
    """A :class:`RoundRecord` (every field given by name), made quickly (see :func:`_made`)."""
    return _made(RoundRecord, fields)


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
    return canonical_json(items) if items else "[]"


def violations_text(violations: Sequence[Violation]) -> str:
    """Canonical JSON of a decision's violations (``[]``, the usual case, without encoding anything)."""
    return canonical_json([v.to_dict() for v in violations]) if violations else "[]"


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
    return _made(
        DecisionRecord,
        {
            "match_id": match_id,
            "seq": seq,
            "side": side,
            "model": model,
            "phase": phase,
            "round": round,
            "attempt": attempt,
            "failure_class": decision.failure_class,
            "raw_text": decision.raw_text,
            "parse_error": parse_error,
            "plan": vp.canonical_json() if vp is not None else None,
            "cost": vp.cost if vp is not None else None,
            "violations": violations_text(decision.violations),
            "input_tokens": decision.usage.input_tokens,
            "output_tokens": decision.usage.output_tokens,
            "cached_tokens": decision.usage.cached_tokens,
            "cost_usd": decision.cost_usd,
            "latency_s": decision.latency_s,
            "cache_hit": int(decision.cache_hit),
            "attempts": decision.attempts,
            "reused": int(reused),
            "prompt": prompt,
            "finish_reason": decision.finish_reason,
        },
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
