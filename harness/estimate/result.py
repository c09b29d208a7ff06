"""The estimate's result types, its defaults, and the notes that say what was assumed.

See :mod:`harness.estimate.estimate` for how each figure is computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from harness.estimate.prompts import REVISION_METHOD
from harness.experiments.jobs import takes_no_sampling_params

#: Output tokens per call of a model that has no history.
DEFAULT_OUTPUT_TOKENS = 300
#: Output tokens per call of a reasoning model without history (its hidden reasoning is billed as output).
DEFAULT_REASONING_OUTPUT_TOKENS = 2000
#: Seconds per call of a model that has no history (scripted models: 0).
DEFAULT_LATENCY_S = 5.0
#: Matches in flight and the provider limit when no experiment says otherwise (the runner's defaults).
DEFAULT_MAX_MATCHES = 64
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class ModelEstimate:
    """The estimate of one model (as configured, variants included).

    Attributes:
        model: The full model name.
        bot: Whether it is a bot (no calls, no cost).
        matches: Matches to play in which it plays.
        calls_expected: Provider calls expected.
        calls_max: Decisions at most (every initial attempt, no cache hit).
        cached_calls: Calls expected to be answered from the response cache (no cost, no time).
        input_tokens_expected: Input tokens of the expected provider calls.
        input_tokens_max: Input tokens at most.
        output_tokens_expected: Output tokens expected.
        output_tokens_max: ``max_tokens`` × ``calls_max``.
        cost_expected: USD expected (``None``: unknown price).
        cost_max: USD at most (``None``: unknown price).
        tokenizer: How the prompts were counted.
        tokens_exact: Whether that is the model's own tokenizer.
        output_source: Where the output length comes from (``store``, ``cache``, ``default``).
        output_per_call: Output tokens per call used.
        latency_s: Seconds per call used.
        latency_source: Where the latency comes from.
    """

    model: str
    bot: bool
    matches: int
    calls_expected: float
    calls_max: int
    cached_calls: float
    input_tokens_expected: float
    input_tokens_max: int
    output_tokens_expected: float
    output_tokens_max: int
    cost_expected: float | None
    cost_max: float | None
    tokenizer: str
    tokens_exact: bool
    output_source: str
    output_per_call: float
    latency_s: float
    latency_source: str


@dataclass(frozen=True)
class RunEstimate:
    """The estimate of a run.

    Attributes:
        experiment: The experiment's name (``None`` for a bare job list).
        planned: Matches in the plan.
        stored: Of those, already finished in the store (not counted).
        to_play: Matches counted.
        models: Per model, in first-seen order.
        wall_time_s: Expected wall time.
        max_matches: Matches in flight at most.
        limits: The concurrency limit of each provider key the models use.
        cache_mode: The response cache's mode.
        notes: What was approximated or assumed, one line each.
    """

    experiment: str | None
    planned: int
    stored: int
    to_play: int
    models: tuple[ModelEstimate, ...]
    wall_time_s: float
    max_matches: int
    limits: Mapping[str, int] = field(default_factory=dict)
    cache_mode: str = "off"
    notes: tuple[str, ...] = ()

    def total_cost(self, which: str = "expected") -> tuple[float, int]:
        """Summed cost (``expected`` or ``max``) of the priced models, and how many models are unpriced."""
        values = [m.cost_expected if which == "expected" else m.cost_max for m in self.models]
        return sum(v for v in values if v is not None), sum(1 for v in values if v is None)


def is_reasoning(model: str) -> bool:
    """Whether ``model`` is taken for a reasoning model (OpenAI o-series, ``*reasoner*``, ``*thinking*``)."""
    base = model.partition("@")[0].lower()
    return takes_no_sampling_params(model) or "reasoner" in base or "thinking" in base


def run_notes(models: tuple[ModelEstimate, ...], cache_mode: str) -> tuple[str, ...]:
    """One line per assumption or approximation behind ``models``' figures."""
    llms = [m for m in models if not m.bot]
    if not llms:
        return ("bots only: no model calls, no cost",)
    exact = sorted({m.tokenizer for m in llms if m.tokens_exact})
    approx = sorted({m.tokenizer for m in llms if not m.tokens_exact})
    parts = []
    if exact:
        parts.append(f"{', '.join(exact)} (the models' own)")
    if approx:
        parts.append(f"{', '.join(approx)} (approximate, marked ~)")
    notes = [f"input tokens: {'; '.join(parts)}; initial prompts as rendered, {REVISION_METHOD}"]
    defaults = [m.model for m in llms if m.output_source == "default"]
    if defaults:
        reasoning = sum(1 for m in defaults if is_reasoning(m))
        assumed = f"{DEFAULT_OUTPUT_TOKENS} tokens per call"
        if reasoning:
            assumed += f" ({DEFAULT_REASONING_OUTPUT_TOKENS} for the {reasoning} reasoning model(s))"
        notes.append(
            f"output: {assumed} assumed for {len(defaults)} model(s) without history (marked *);"
            " bound: max_tokens per call"
        )
    slow = [m.model for m in llms if m.latency_source == "default"]
    if slow:
        notes.append(
            f"latency: {DEFAULT_LATENCY_S:g} s per call assumed for {len(slow)} model(s) without history"
        )
    if cache_mode == "replay-only":
        notes.append("replay-only cache: every call is answered from the cassette (a miss stops the run)")
    elif cache_mode == "read-write":
        notes.append("cache on: repeated first requests and cassette hits are counted as cached, not billed")
    notes.append(
        "expected: no retry unless the store shows some; not included: provider retries,"
        " re-plays of voided matches, provider-side prompt caching"
    )
    return tuple(notes)
