"""Fake match results (real protocol record types) for store tests."""

from __future__ import annotations

from harness.experiments import build_job
from harness.models.types import GenerateConfig
from harness.protocol.records import DecisionRecord, MatchResult, RoundRecord


def make_job(seed: int = 0, model_b: str = "bot/random", rounds: int = 2, first_reviser: str = "A"):
    return build_job(
        experiment="t",
        game="battle_card",
        params=None,
        model_a="bot/greedy",
        model_b=model_b,
        settings={
            "rounds": rounds,
            "revision": "alternate",
            "first_reviser": first_reviser,
            "feedback": "outcome",
            "initial_attempts": None,
            "invalid_plan_policy": "keep_previous",
            "initial_plans": "per_match",
        },
        generation_a=None,
        generation_b=None,
        base_generation=GenerateConfig(),
        base_seed=seed,
        repetition=0,
    )


def decision(mid: str, seq: int, *, cost_usd: float | None = 0.001, latency: float = 0.5) -> DecisionRecord:
    return DecisionRecord(
        match_id=mid,
        seq=seq,
        side="A" if seq % 2 == 0 else "B",
        model="bot/greedy",
        phase="initial" if seq < 2 else "revision",
        round=0 if seq < 2 else seq - 1,
        attempt=1,
        failure_class="ok",
        raw_text='{"defenders": []}',
        parse_error=None,
        plan='{"defenders":[]}',
        cost=0,
        violations="[]",
        input_tokens=10,
        output_tokens=5,
        cached_tokens=0,
        cost_usd=cost_usd,
        latency_s=latency,
        cache_hit=0,
        attempts=1,
        reused=0,
    )


def round_record(mid: str, r: int) -> RoundRecord:
    return RoundRecord(
        match_id=mid,
        round=r,
        label=r,
        plan_a='{"defenders":[]}',
        plan_b='{"invaders":[]}',
        cost_a=3,
        cost_b=4,
        budget_a=20,
        budget_b=20,
        violations_a="[]",
        violations_b="[]",
        raw_winner="A",
        winner="A",
        reviser=None if r == 1 else ("A" if r % 2 == 0 else "B"),
        changed_a=None if r == 1 else 0,
        changed_b=None if r == 1 else 1,
        cost_changed_a=None if r == 1 else 0,
        cost_changed_b=None if r == 1 else 0,
        summary="{}",
    )


def make_result(mid: str, n_rounds: int = 3, *, latency: float = 0.5) -> MatchResult:
    decisions = [decision(mid, i, latency=latency) for i in range(n_rounds + 1)]
    return MatchResult(
        rounds=[round_record(mid, r) for r in range(1, n_rounds + 1)],
        decisions=decisions,
        winner="A",
        n_rounds=n_rounds,
        input_tokens=10 * len(decisions),
        output_tokens=5 * len(decisions),
        cost_usd=0.001 * len(decisions),
    )
