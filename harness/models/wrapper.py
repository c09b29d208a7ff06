"""The :class:`Model` wrapper: the one place that owns retries, limits, timeouts, cost, cache and events.

Adapters make exactly one request each; :meth:`Model.generate` turns that into a robust call:

1. cache lookup (``read-write`` / ``replay-only``; a ``replay-only`` miss raises :class:`CacheMiss`);
2. attempts under the provider's concurrency limit and the per-call timeout, retried by tenacity on
   :class:`RateLimited` (waiting the capped Retry-After) and :class:`Transient` (exponential backoff with
   full jitter), bounded by ``max_attempts`` and ``max_total_wait_s``; :class:`Fatal` is never retried;
3. a :class:`Refused` error comes back as a ``finish_reason="refused"`` completion (not retried);
4. an empty answer (HTTP 200 without choices or content, not truncated) is retried once as
   :class:`Transient` under ``settings.empty_reply="retry_once"`` (the default); an empty retry is the
   model's reply. ``"model"`` counts it as the model's reply at once;
5. the values of credential variables are removed from the reply text and request id
   (:func:`~harness.models.redact.redact_secrets`: a proxy may echo the auth header into the reply);
6. cost from the price table, then the cache write;
7. one :class:`ModelEvent` per attempt (and per cache hit) to ``settings.on_event``.

When a call cannot be completed it raises :class:`InfraError` (``cause`` names the last error class).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
import weakref
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from harness.models.cache import ResponseCache, cache_key, canonical_request, describe_request, open_cache
from harness.models.pricing import Price, cost_usd, price_for
from harness.models.providers import ModelName, make_adapter, parse_model_name
from harness.models.redact import redact, redact_secrets
from harness.models.settings import DEFAULT_SETTINGS, ModelSettings, RetryPolicy
from harness.models.types import (
    Adapter,
    AttemptOutcome,
    CacheMiss,
    ChatMessage,
    Completion,
    Fatal,
    GenerateConfig,
    InfraError,
    ModelError,
    ModelEvent,
    RateLimited,
    Refused,
    Transient,
    Usage,
)

_OUTCOMES: dict[type[ModelError], AttemptOutcome] = {
    RateLimited: "rate_limited",
    Transient: "transient",
    Fatal: "fatal",
    Refused: "refused",
}


def _outcome(exc: BaseException) -> AttemptOutcome:
    for cls, outcome in _OUTCOMES.items():
        if isinstance(exc, cls):
            return outcome
    return "fatal"


class _Backoff:
    """tenacity ``wait`` and ``stop`` strategies of one :class:`RetryPolicy`."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.rng = random.Random(policy.jitter_seed)

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            honoured = min(exc.retry_after, self.policy.retry_after_cap_s)
            return honoured + self.rng.uniform(0.0, 0.1 * honoured)  # never earlier than asked
        ceiling = min(self.policy.max_backoff_s, self.policy.base_backoff_s * 2 ** (state.attempt_number - 1))
        return self.rng.uniform(0.0, ceiling)

    def stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.policy.max_attempts:
            return True
        return state.idle_for + state.upcoming_sleep > self.policy.max_total_wait_s


def _is_empty(completion: Completion) -> bool:
    """An answer with nothing in it that the model did not mean: not truncated, not refused."""
    return completion.finish_reason in ("stop", "other") and not completion.text.strip()


def _scrubbed(completion: Completion) -> dict[str, Any]:
    """The reply fields with credential values removed (empty when there is nothing to change)."""
    text = redact_secrets(completion.text)
    request_id = redact_secrets(completion.request_id) if completion.request_id else completion.request_id
    changes: dict[str, Any] = {}
    if text is not completion.text:
        changes["text"] = text
    if request_id is not completion.request_id:
        changes["request_id"] = request_id
    return changes


# Requests being made right now, per loop and cassette: identical concurrent requests make one call.
_in_flight: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, str], asyncio.Future[None]]
] = weakref.WeakKeyDictionary()


class Model:
    """A named model with everything shared around its adapter.

    Build it with :func:`harness.models.get_model`; it satisfies the ``ChatModel`` protocol.

    Args:
        name: ``provider/model[@k=v,...]``.
        settings: The model-layer settings (shared limits live in this object).
        adapter: Use this adapter instead of building one from the name (tests, custom providers).
    """

    def __init__(self, name: str, settings: ModelSettings | None = None, *, adapter: Adapter | None = None):
        self.settings = settings or DEFAULT_SETTINGS
        self.parsed: ModelName = parse_model_name(name)
        self.name = str(self.parsed)
        self.provider = self.parsed.provider
        self._adapter = adapter or make_adapter(self.parsed, self.settings)
        self._price: Price | None = price_for(self.provider, self.parsed.model, self.settings.prices)
        self._cache: ResponseCache | None = (
            None if self.settings.cache_mode == "off" else open_cache(self.settings.cache_path)
        )
        self._backoff = _Backoff(self.settings.retry)
        # litellm fronts many upstreams; each gets its own limit (``litellm/gemini``, ``litellm/deepseek``).
        model = self.parsed.model
        upstream = self.provider == "litellm" and "/" in model
        self.limit_key = f"litellm/{model.split('/', 1)[0]}" if upstream else self.provider
        self._limit = self.settings.limit_for(self.limit_key)
        self._prepared: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
        # Scripted replies are the script's: an empty one is meant, never a broken endpoint.
        self._retry_empty = self.settings.empty_reply == "retry_once" and self.provider != "scripted"

    def __repr__(self) -> str:
        return f"Model({self.name!r}, cache={self.settings.cache_mode})"

    @property
    def price(self) -> Price | None:
        """The price used for this model's cost (``None`` when unknown)."""
        return self._price

    async def generate(
        self, messages: list[ChatMessage], config: GenerateConfig, *, sample_index: int = 0
    ) -> Completion:
        """Generate one completion.

        Args:
            messages: The conversation.
            config: Generation settings (``timeout_s`` bounds each attempt).
            sample_index: Distinguishes repeated samples of the same request in the cache.

        With the cache on, identical requests (same cassette, request and sample index) made at the same
        time make one provider call; the others read its answer from the cache.

        Returns:
            The completion; a content-filter refusal has ``finish_reason="refused"``, a truncated reply
            ``"length"``.

        Raises:
            InfraError: Retries exhausted, total wait exceeded, or a fatal error (auth, bad request…).
            CacheMiss: ``replay-only`` mode and the request is not in the cassette.
        """
        if self._cache is None:
            return await self._call_with_retries(messages, config, sample_index)
        cache = self._cache
        request = canonical_request(self.provider, self.parsed.model, self.parsed.params, messages, config)
        key = cache_key(request, sample_index)
        flights = _in_flight.setdefault(asyncio.get_running_loop(), {})
        flight_key = (str(self.settings.cache_path), key)
        while True:
            hit = await cache.aget(key)
            if hit is not None:
                self._emit(
                    kind="cache_hit",
                    attempt=0,
                    outcome="cache_hit",
                    sample_index=sample_index,
                    usage=hit.usage,
                    request_id=hit.request_id,
                )
                # A cassette written before replies were scrubbed may still hold a secret.
                return dataclasses.replace(hit, model=self.name, **_scrubbed(hit))
            if self.settings.cache_mode == "replay-only":
                raise CacheMiss(
                    f"replay-only cache {self.settings.cache_path} has no reply for "
                    f"{describe_request(request, sample_index, key)}"
                )
            leader = flights.get(flight_key)
            if leader is None:
                break
            # The same request is in flight: wait for it, then read its answer from the cache, so which
            # of two concurrent matches asks first cannot change what either gets (a replay gives the
            # same). If it failed, nothing was stored and this call goes on to make its own request.
            await asyncio.shield(leader)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        flights[flight_key] = done
        try:
            completion = await self._call_with_retries(messages, config, sample_index)
            await cache.aput(key, request, sample_index, completion)
        finally:
            flights.pop(flight_key, None)
            done.set_result(None)
        return completion

    async def _call_with_retries(
        self, messages: list[ChatMessage], config: GenerateConfig, sample_index: int
    ) -> Completion:
        info: dict[str, Any] = {"attempt": 1}
        try:
            try:
                # Fast path: the first attempt runs outside tenacity, whose per-call bookkeeping costs more
                # than the wrapper's whole budget; a retryable failure hands over to tenacity below.
                completion = await self._attempt(messages, config, info)
            except (RateLimited, Transient) as first_failure:
                completion = await self._retry(first_failure, messages, config, sample_index, info)
        except Refused:
            self._emit(
                kind="attempt",
                attempt=info["attempt"],
                outcome="refused",
                sample_index=sample_index,
                latency_s=info.get("latency", 0.0),
                error=info.get("message"),
            )
            return self._finish(Completion("", "refused", Usage(), self.name), info["attempt"])
        except ModelError as exc:
            attempt = int(info["attempt"])
            self._emit_failure(exc, info, sample_index, wait_s=None)
            cause = type(exc).__name__
            if isinstance(exc, Fatal):
                what = "fatal error"
            elif attempt >= self.settings.retry.max_attempts:
                what = f"gave up after {attempt} attempts"
            else:
                what = f"gave up after {attempt} attempts (next wait would exceed the total wait cap)"
            raise InfraError(f"{self.name}: {what}: {cause}: {redact(str(exc))}", cause, attempt) from None
        attempt = int(info["attempt"])
        self._emit(
            kind="attempt",
            attempt=attempt,
            outcome="ok",
            sample_index=sample_index,
            latency_s=completion.latency_s,
            request_id=completion.request_id,
            usage=completion.usage,
        )
        return self._finish(completion, attempt)

    async def _retry(
        self,
        first_failure: ModelError,
        messages: list[ChatMessage],
        config: GenerateConfig,
        sample_index: int,
        info: dict[str, Any],
    ) -> Completion:
        """Attempts 2.. under tenacity; attempt 1's failure is replayed into it so it owns every wait."""

        async def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            self._emit_failure(exc, info, sample_index, wait_s=state.upcoming_sleep)

        retrying = AsyncRetrying(
            retry=retry_if_exception_type((RateLimited, Transient)),
            wait=self._backoff.wait,
            stop=self._backoff.stop,
            before_sleep=before_sleep,
            sleep=self.settings.sleep,
            reraise=True,
        )
        async for state in retrying:
            with state:
                if state.retry_state.attempt_number == 1:
                    raise first_failure  # already made: tenacity only books it, no request is sent
                info.update(attempt=state.retry_state.attempt_number, latency=0.0, message=None)
                return await self._attempt(messages, config, info)
        raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover

    async def _attempt(
        self, messages: list[ChatMessage], config: GenerateConfig, info: dict[str, Any]
    ) -> Completion:
        loop = asyncio.get_running_loop()
        if loop not in self._prepared:
            prepare = getattr(self._adapter, "prepare", None)
            if prepare is not None:
                await prepare()  # SDK import and client set-up: slow once, never a reason to time out
            self._prepared.add(loop)
        semaphore = self.settings.limiters.get(self.limit_key, self._limit)
        async with semaphore:
            start = time.perf_counter()
            try:
                async with asyncio.timeout(config.timeout_s):
                    completion = await self._adapter.generate(messages, config)
            except TimeoutError:
                err: ModelError = Transient(f"{self.name}: no reply within {config.timeout_s:g} s")
                info.update(message=str(err), latency=time.perf_counter() - start)
                raise err from None
            except ModelError as exc:
                info.update(message=redact(str(exc)), latency=time.perf_counter() - start)
                raise
        retry_empty = self._retry_empty and not info.get("empty_retried")
        if retry_empty and _is_empty(completion) and int(info["attempt"]) < self.settings.retry.max_attempts:
            info["empty_retried"] = True
            err = Transient(f"{self.name}: empty reply (no choices or no content); retrying it once")
            info.update(message=str(err), latency=completion.latency_s)
            raise err
        return completion

    def _finish(self, completion: Completion, attempts: int) -> Completion:
        return dataclasses.replace(
            completion,
            **_scrubbed(completion),
            model=self.name,
            cost_usd=cost_usd(self._price, completion.usage),
            cache_hit=False,
            attempts=attempts,
        )

    def _emit_failure(
        self, exc: BaseException | None, info: dict[str, Any], sample_index: int, wait_s: float | None
    ) -> None:
        if exc is None:
            return
        self._emit(
            kind="attempt",
            attempt=int(info.get("attempt", 0)),
            outcome=_outcome(exc),
            sample_index=sample_index,
            latency_s=float(info.get("latency", 0.0)),
            error=redact(str(exc)),
            retry_after=exc.retry_after if isinstance(exc, RateLimited) else None,
            wait_s=wait_s,
        )

    def _emit(self, **fields: Any) -> None:
        hook = self.settings.on_event
        if hook is not None:
            hook(ModelEvent(model=self.name, provider=self.provider, timestamp=time.time(), **fields))
