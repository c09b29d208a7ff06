"""The model-layer contract: messages, generation config, completions and the error taxonomy.

Adapters (one per provider) turn ``(messages, config)`` into a :class:`Completion` and classify every
failure into one of the :class:`ModelError` subclasses below. The :class:`~harness.models.wrapper.Model`
wrapper owns retries, limits, caching and cost; callers only ever see a :class:`Completion` (possibly with
``finish_reason == "refused"`` or ``"length"``) or an :class:`InfraError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from games.core.errors import StratagemError

Role = Literal["system", "user", "assistant"]
FinishReason = Literal["stop", "length", "refused", "other"]


@dataclass(frozen=True)
class ChatMessage:
    """One chat message."""

    role: Role
    content: str

    def to_dict(self) -> dict[str, str]:
        """The ``{"role", "content"}`` form every provider accepts."""
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class GenerateConfig:
    """Generation settings of one call (the paper's defaults).

    Attributes:
        temperature: Sampling temperature; ``None`` sends none (reasoning models take no sampling params).
        top_p: Nucleus sampling; ``None`` sends none.
        max_tokens: Output token limit.
        seed: Provider-side sampling seed where supported.
        response_schema: A JSON Schema the reply must follow (constrained decoding where supported).
        timeout_s: Per-attempt timeout in seconds.
        extra: Provider-specific extra request fields, passed through unchanged.
    """

    temperature: float | None = 0.3
    top_p: float | None = 1.0
    max_tokens: int = 2048
    seed: int | None = None
    response_schema: Mapping[str, Any] | None = None
    timeout_s: float = 120.0
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Usage:
    """Token usage of one call."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0


@dataclass(frozen=True)
class Completion:
    """A model's answer to one request.

    Attributes:
        text: The reply text ("" when refused).
        finish_reason: Normalised: ``stop``, ``length`` (truncated), ``refused`` (content filter), ``other``.
        usage: Token usage (zero for cache hits is *not* assumed: the cached call's usage is kept).
        model: The full model name, ``provider/model[@variant]``.
        request_id: The provider's request id, if it sent one.
        latency_s: Wall time of the successful attempt (0 for cache hits).
        cost_usd: Cost of this call in USD, or ``None`` when the price is unknown.
        cache_hit: Whether the answer came from the response cache.
        attempts: Number of provider attempts made (0 for cache hits).
    """

    text: str
    finish_reason: FinishReason
    usage: Usage
    model: str
    request_id: str | None = None
    latency_s: float = 0.0
    cost_usd: float | None = None
    cache_hit: bool = False
    attempts: int = 1


class ModelError(StratagemError):
    """Base of the provider error taxonomy. Messages never contain API keys."""


class RateLimited(ModelError):
    """HTTP 429 or equivalent; retried after ``retry_after`` seconds when the provider says so."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Transient(ModelError):
    """Worth retrying: 5xx, overloaded, timeouts, connection resets, malformed 200 bodies."""


class Fatal(ModelError):
    """Never retried: authentication, bad request, model not found."""


class Refused(ModelError):
    """The provider's content filter refused the request or the reply."""


class InfraError(ModelError):
    """Raised by the wrapper when a call could not be completed (retries exhausted or a fatal error).

    Attributes:
        cause: The class name of the last underlying error (``RateLimited``, ``Transient``, ``Fatal``).
        attempts: How many attempts were made.
    """

    def __init__(self, message: str, cause: str, attempts: int) -> None:
        super().__init__(message)
        self.cause = cause
        self.attempts = attempts


EventKind = Literal["attempt", "cache_hit"]
AttemptOutcome = Literal["ok", "refused", "rate_limited", "transient", "fatal", "cache_hit"]


@dataclass(frozen=True)
class ModelEvent:
    """One provider attempt (or one cache hit) made by the wrapper; never holds a key or a header.

    Attributes:
        model: The full model name, ``provider/model[@variant]``.
        provider: The provider part of the name.
        kind: ``attempt`` for a provider request, ``cache_hit`` for an answer served from the cache.
        attempt: 1-based attempt number within the call (0 for a cache hit).
        outcome: ``ok``, ``refused``, ``rate_limited``, ``transient``, ``fatal`` or ``cache_hit``.
        sample_index: The call's sample index.
        latency_s: Wall time of the attempt.
        error: The classified error message (secrets redacted), or ``None``.
        retry_after: The wait the provider asked for, if any.
        wait_s: The wait before the next attempt when one follows, else ``None``.
        request_id: The provider's request id, if known.
        usage: Token usage of a successful attempt.
        timestamp: Unix time when the attempt ended.
    """

    model: str
    provider: str
    kind: EventKind
    attempt: int
    outcome: AttemptOutcome
    sample_index: int = 0
    latency_s: float = 0.0
    error: str | None = None
    retry_after: float | None = None
    wait_s: float | None = None
    request_id: str | None = None
    usage: Usage | None = None
    timestamp: float = 0.0


class CacheMiss(StratagemError):
    """``replay-only`` cache mode and the request is not in the cassette (the message names the request)."""


class Adapter(Protocol):
    """What a provider adapter implements: one call, no retries, errors classified."""

    async def generate(self, messages: list[ChatMessage], config: GenerateConfig) -> Completion:
        """Make exactly one request and return its completion or raise a :class:`ModelError`."""
        ...


class ChatModel(Protocol):
    """What agents call: the wrapper (or any test double with the same shape)."""

    name: str

    async def generate(
        self, messages: list[ChatMessage], config: GenerateConfig, *, sample_index: int = 0
    ) -> Completion:
        """Generate a completion; raise :class:`InfraError` when the call cannot be completed.

        Args:
            messages: The conversation.
            config: Generation settings.
            sample_index: Distinguishes repeated samples of the same request in the cache.
        """
        ...
