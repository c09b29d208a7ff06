"""What a run will cost before it runs: calls, tokens, USD and wall time per model.

:func:`estimate_run` reads the plan's jobs once (the matches still to play after the resume check, see
:mod:`.tally`), renders each distinct prompt once (:mod:`.prompts`), counts its tokens with the model's
tokenizer (:mod:`.tokens`) and combines the counts with what earlier runs observed (:mod:`.history`):

* **calls** — *expected*: provider calls with no retry (or the mean attempts per initial phase this model
  needed in the store); calls answered from the response cache are counted apart (``cached``) and cost
  nothing. *Bound*: every decision a match can make, every initial attempt used, no cache hit.
* **input tokens** — the rendered prompts' tokens summed over those calls (bound: every call with the
  longest representative prompt of its kind).
* **output tokens** — *expected*: calls × the mean reply length of this model in the store, else in the
  cassette, else :data:`DEFAULT_OUTPUT_TOKENS` (:data:`DEFAULT_REASONING_OUTPUT_TOKENS` for a reasoning
  model, whose hidden reasoning is billed as output); *bound*: calls × ``max_tokens``.
* **cost** — both token counts at the model's price (:func:`harness.models.pricing.price_for`);
  ``None`` ("unknown") when the price is unknown, 0 for bots and free providers. Provider-side prompt
  caching (a discount on repeated prefixes) is not assumed.
* **wall time** — matches run concurrently up to ``max_matches``, each call also waits for its
  provider's concurrency limit, the decisions of one match are sequential (its two initial phases and
  simultaneous revisions in parallel), and bot decisions run one at a time on the event loop. The
  estimate is the largest of: total match time / matches in flight, each provider's call time / its
  limit, the bots' total time, the longest match. Call latency: the model's mean in the store, else in
  the cassette, else :data:`DEFAULT_LATENCY_S` (scripted models: 0; bots: 0).

Not included: provider-level retries of transient errors (they rarely bill) and re-plays of voided
matches (up to ``max_tries``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from games.core.types import SideKey
from harness.estimate.history import (
    Observed,
    StoreSource,
    cache_observations,
    cache_reader,
    cached_keys,
    store_observations,
    store_reader,
)
from harness.estimate.prompts import SidePrompts, side_prompts
from harness.estimate.result import (
    DEFAULT_CONCURRENCY,
    DEFAULT_LATENCY_S,
    DEFAULT_MAX_MATCHES,
    DEFAULT_OUTPUT_TOKENS,
    DEFAULT_REASONING_OUTPUT_TOKENS,
    ModelEstimate,
    RunEstimate,
    is_reasoning,
    run_notes,
)
from harness.estimate.tally import Seat, SeatKey, Tally, tally_jobs
from harness.estimate.tokens import TokenCounter
from harness.experiments.config import ExperimentConfig
from harness.experiments.jobs import MatchJob
from harness.experiments.names import is_bot
from harness.models.cache import cache_key, canonical_request
from harness.models.pricing import Price, price_for
from harness.models.providers import parse_model_name
from harness.models.types import GenerateConfig, Usage


@dataclass
class _Acc:
    """Running sums of one model."""

    calls: float = 0.0
    calls_max: int = 0
    cached: float = 0.0
    tokens_in: float = 0.0
    tokens_in_max: int = 0
    tokens_out_max: int = 0


def _limit_key(model: str) -> str:
    """The concurrency-limit key of ``model`` (as the wrapper's: ``litellm/<upstream>``)."""
    provider, _, rest = model.partition("/")
    base = rest.partition("@")[0]
    return f"litellm/{base.split('/', 1)[0]}" if provider == "litellm" and "/" in base else provider


def _limit(concurrency: Mapping[str, int], key: str) -> int:
    if key in concurrency:
        return concurrency[key]
    return concurrency.get(key.split("/", 1)[0], concurrency.get("default", DEFAULT_CONCURRENCY))


def _request_key(seat: Seat, key: SeatKey, prompts: SidePrompts, game: Any, seed: int) -> str:
    parsed = parse_model_name(key.model)
    config = seat.generation or GenerateConfig()
    if seat.plan_schema:
        config = replace(config, response_schema=game.plan_schema(key.side))
    request = canonical_request(parsed.provider, parsed.model, parsed.params, prompts.initial, config)
    return cache_key(request, seed)


class _Estimator:
    def __init__(
        self,
        tally: Tally,
        counter: TokenCounter,
        observed: Mapping[str, Observed],
        cache_mode: str,
        hits: set[str],
    ) -> None:
        self.tally, self.counter, self.observed = tally, counter, observed
        self.cache_mode, self.hits = cache_mode, hits
        self._prompts: dict[tuple[str, str, str, SideKey, str, str], SidePrompts] = {}
        self._cached: dict[SeatKey, int] = {}

    def prompts(self, key: SeatKey) -> SidePrompts:
        pk = (key.game, key.ruleset, key.params_json, key.side, key.feedback, key.policy)
        p = self._prompts.get(pk)
        if p is None:
            game = self.tally.games[(key.game, key.ruleset, key.params_json)]
            p = self._prompts[pk] = side_prompts(game, key.side, key.feedback, key.policy)
        return p

    def attempts(self, model: str) -> float:
        obs = self.observed.get(model)
        return obs.initial_attempts if obs is not None and obs.initial_attempts is not None else 1.0

    def latency(self, model: str) -> tuple[float, str]:
        obs = self.observed.get(model)
        if obs is not None and obs.latency_s is not None:
            return obs.latency_s, f"{obs.source} mean"
        if is_bot(model) or model.startswith("scripted/"):
            return 0.0, "none"
        return DEFAULT_LATENCY_S, "default"

    def output(self, model: str) -> tuple[float, str]:
        obs = self.observed.get(model)
        if obs is not None and obs.output_tokens is not None:
            return obs.output_tokens, f"{obs.source} (n={obs.calls})"
        if is_reasoning(model):
            return float(DEFAULT_REASONING_OUTPUT_TOKENS), "default"
        return float(DEFAULT_OUTPUT_TOKENS), "default"

    def first_request_keys(self) -> list[str]:
        """The response-cache keys of the first initial request of every phase to make."""
        keys = []
        for key, seat in self.tally.seats.items():
            if is_bot(key.model):
                continue
            game = self.tally.games[(key.game, key.ruleset, key.params_json)]
            keys += [_request_key(seat, key, self.prompts(key), game, s) for s in seat.seeds]
        return keys

    def cached_phases(self, key: SeatKey, seat: Seat) -> int:
        """Initial phases of ``seat`` whose first request the cassette already answers."""
        if is_bot(key.model):
            return 0
        if self.cache_mode == "replay-only":
            return seat.phases
        if not self.hits:
            return 0
        n = self._cached.get(key)
        if n is None:
            game = self.tally.games[(key.game, key.ruleset, key.params_json)]
            prompts = self.prompts(key)
            n = sum(1 for s in seat.seeds if _request_key(seat, key, prompts, game, s) in self.hits)
            self._cached[key] = n
        return n

    def seat(self, key: SeatKey, seat: Seat, acc: _Acc) -> None:
        model = key.model
        if is_bot(model):
            return
        p = self.prompts(key)
        first = self.counter.count(model, p.initial)
        retry = self.counter.count(model, p.retry)
        revs = [self.counter.count(model, r) for r in p.revisions]
        rev_mean, rev_max = sum(revs) / len(revs), max(self.counter.count(model, p.revision_bound), *revs)
        attempts = self.attempts(model)
        shared = key.shared
        cached = self.cached_phases(key, seat)
        billed_phases = seat.phases - cached
        # Per-match phases repeated with the same seed are answered from the cache (see tally).
        repeats = 0 if shared else seat.matches - seat.phases
        replay = self.cache_mode == "replay-only"
        billed_revisions = 0 if replay else seat.revisions
        acc.calls += billed_phases * attempts + billed_revisions
        acc.cached += (cached + repeats) * attempts + (seat.revisions if replay else 0)
        acc.tokens_in += billed_phases * (first + (attempts - 1) * retry) + billed_revisions * rev_mean
        phases_max = 1 if shared else seat.matches
        calls_max = phases_max * key.attempts + seat.revisions
        acc.calls_max += calls_max
        acc.tokens_in_max += phases_max * (first + (key.attempts - 1) * retry) + seat.revisions * rev_max
        max_tokens = seat.generation.max_tokens if seat.generation is not None else 0
        acc.tokens_out_max += calls_max * max_tokens

    def wall_time(self, max_matches: int, concurrency: Mapping[str, int]) -> tuple[float, dict[str, int]]:
        """The expected wall time and the provider limits involved (see the module docstring)."""
        seats = self.tally.seats
        replay = self.cache_mode == "replay-only"

        def lat(model: str) -> float:
            return 0.0 if replay and not is_bot(model) else self.latency(model)[0]

        def phase_time(key: SeatKey) -> float:
            seat = seats[key]
            share = (seat.phases - self.cached_phases(key, seat)) / seat.matches if seat.matches else 0.0
            return (1.0 if is_bot(key.model) else self.attempts(key.model) * share) * lat(key.model)

        total = longest = bots = 0.0
        busy: dict[str, float] = {}
        for shape in self.tally.shapes.values():
            a, b = shape.seats
            models = {"A": a.model, "B": b.model}
            init = 0.0 if shape.shared else max(phase_time(a), phase_time(b))
            t = init + sum(max(lat(models[s]) for s in step) for step in shape.steps)
            total += shape.count * t
            longest = max(longest, t)
        for key, seat in seats.items():
            calls = (seat.phases * (1.0 if is_bot(key.model) else self.attempts(key.model))) + seat.revisions
            seconds = calls * lat(key.model)
            if key.shared:
                total += seat.phases * self.attempts(key.model) * lat(key.model)
            if is_bot(key.model):
                bots += seconds
            else:
                busy[_limit_key(key.model)] = busy.get(_limit_key(key.model), 0.0) + seconds
        limits = {k: _limit(concurrency, k) for k in sorted(busy)}
        in_flight = max(1, min(max_matches, self.tally.to_play))
        candidates = [total / in_flight, longest, bots, *(busy[k] / limits[k] for k in limits)]
        return max(candidates), limits


def estimate_run(
    jobs: Iterable[MatchJob],
    *,
    config: ExperimentConfig | None = None,
    store: StoreSource | None = None,
    cache: str | Path | None = None,
    max_matches: int | None = None,
    limit: int | None = None,
    prices: Mapping[str, Price] | None = None,
    tokens: TokenCounter | None = None,
) -> RunEstimate:
    """Estimate the calls, tokens, cost and wall time of the matches of ``jobs`` still to play.

    Args:
        jobs: The plan's jobs as the runner gets them (a :class:`~harness.experiments.JobPlan` or a list),
            read once.
        config: The experiment (``max_matches``, ``concurrency``, the cache); defaults to ``jobs.config``
            when ``jobs`` is a plan, else the runner's defaults and no cache.
        store: The results store (an open store, a connection or a path; a missing file is an empty
            store): finished matches are left out, and its decisions give reply lengths, latencies and
            initial attempts.
        cache: The response cassette to read reply lengths and cached first requests from; default:
            the experiment's when its cache is on (with the cache off no cassette is read).
        max_matches: Matches in flight (``stratagem run --concurrency``); default: the experiment's.
        limit: Count only the first ``limit`` matches still to play (``stratagem run --max-matches``).
        prices: Price overrides (``provider/model`` or bare model name → :class:`Price`).
        tokens: The token counter (default: a new :class:`TokenCounter`).

    Raises:
        StoreError: ``store`` is a path to a file that is not a store this version reads.
    """
    if config is None:
        found = getattr(jobs, "config", None)
        config = found if isinstance(found, ExperimentConfig) else None
    cache_mode = config.cache.mode if config is not None else "off"
    if cache is None and config is not None and cache_mode != "off":
        cache = config.cache.path
    concurrency = dict(config.concurrency) if config is not None else {}
    in_flight = max_matches or (config.max_matches if config is not None else DEFAULT_MAX_MATCHES)
    counter = tokens if tokens is not None else TokenCounter()
    with store_reader(store) as reader, cache_reader(cache if cache_mode != "off" else None) as creader:
        tally = tally_jobs(jobs, reader=reader, cache_mode=cache_mode, limit=limit)
        models = tally.models()
        llms = [m for m in models if not is_bot(m)]
        observed: dict[str, Observed] = dict(cache_observations(creader, llms))
        observed.update(store_observations(reader, models))
        estimator = _Estimator(tally, counter, observed, cache_mode, set())
        if creader is not None and cache_mode == "read-write":
            estimator.hits = cached_keys(creader, estimator.first_request_keys())
    accs: dict[str, _Acc] = {m: _Acc() for m in models}
    for key, seat in tally.seats.items():
        estimator.seat(key, seat, accs[key.model])
    out = tuple(_model_estimate(m, tally.matches[m], accs[m], estimator, prices or {}) for m in models)
    wall, limits = estimator.wall_time(in_flight, concurrency)
    return RunEstimate(
        experiment=config.name if config is not None else None,
        planned=tally.planned,
        stored=tally.stored,
        to_play=tally.to_play,
        models=out,
        wall_time_s=wall,
        max_matches=in_flight,
        limits=limits,
        cache_mode=cache_mode,
        notes=run_notes(out, cache_mode),
    )


def _model_estimate(
    model: str, matches: int, acc: _Acc, est: _Estimator, prices: Mapping[str, Price]
) -> ModelEstimate:
    latency, latency_source = est.latency(model)
    if is_bot(model):
        return ModelEstimate(
            model=model,
            bot=True,
            matches=matches,
            calls_expected=0.0,
            calls_max=0,
            cached_calls=0.0,
            input_tokens_expected=0.0,
            input_tokens_max=0,
            output_tokens_expected=0.0,
            output_tokens_max=0,
            cost_expected=0.0,
            cost_max=0.0,
            tokenizer="-",
            tokens_exact=True,
            output_source="-",
            output_per_call=0.0,
            latency_s=latency,
            latency_source=latency_source,
        )
    per_call, source = est.output(model)
    tok = est.counter.tokenizer(model)
    parsed = parse_model_name(model)
    price = price_for(parsed.provider, parsed.model, prices)
    out_expected = acc.calls * per_call

    def cost(inp: float, out: float) -> float | None:
        return None if price is None else price.cost(Usage(round(inp), round(out)))

    return ModelEstimate(
        model=model,
        bot=False,
        matches=matches,
        calls_expected=acc.calls,
        calls_max=acc.calls_max,
        cached_calls=acc.cached,
        input_tokens_expected=acc.tokens_in,
        input_tokens_max=acc.tokens_in_max,
        output_tokens_expected=out_expected,
        output_tokens_max=acc.tokens_out_max,
        cost_expected=cost(acc.tokens_in, out_expected),
        cost_max=cost(acc.tokens_in_max, acc.tokens_out_max),
        tokenizer=tok.label,
        tokens_exact=tok.exact,
        output_source=source,
        output_per_call=per_call,
        latency_s=latency,
        latency_source=latency_source,
    )
