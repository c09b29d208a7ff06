"""Settings of the model layer: cache, retries, concurrency, endpoints, prices and the event hook.

One :class:`ModelSettings` object is meant to be built once per run and passed to every
:func:`~harness.models.get_model` call: the per-provider concurrency limits live *inside* the settings
object, so every :class:`~harness.models.wrapper.Model` made with the same settings object shares them.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from games.core.errors import ParameterError
from harness.models.adapters.sdk_clients import HTTP_BACKENDS, HttpBackend
from harness.models.pricing import Price
from harness.models.types import ModelEvent

CacheMode = Literal["off", "read-write", "replay-only"]
CACHE_MODES: tuple[CacheMode, ...] = ("off", "read-write", "replay-only")
EmptyReplyPolicy = Literal["retry_once", "model"]
EMPTY_REPLY_POLICIES: tuple[EmptyReplyPolicy, ...] = ("retry_once", "model")
LOCAL_BASE_URL_ENV = "STRATAGEM_LOCAL_BASE_URL"
DEFAULT_LOCAL_BASE_URL = "http://127.0.0.1:8080/v1"


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff, full jitter and Retry-After.

    Attributes:
        max_attempts: Attempts per call, the first one included.
        base_backoff_s: Backoff ceiling of the first retry; doubles with each further retry.
        max_backoff_s: Upper bound of one backoff ceiling.
        max_total_wait_s: Give up rather than sleep past this much waiting in one call.
        retry_after_cap_s: Longest Retry-After honoured (a longer one is cut to this).
        jitter_seed: Seed of the jitter generator (waits are not a result, but stay reproducible).
    """

    max_attempts: int = 6
    base_backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    max_total_wait_s: float = 300.0
    retry_after_cap_s: float = 60.0
    jitter_seed: int = 0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ParameterError(f"max_attempts must be at least 1, got {self.max_attempts}")
        for name in ("base_backoff_s", "max_backoff_s", "max_total_wait_s", "retry_after_cap_s"):
            if getattr(self, name) < 0:
                raise ParameterError(f"{name} must not be negative, got {getattr(self, name)}")


class LimiterPool:
    """Per-provider :class:`asyncio.Semaphore` objects, one set per event loop.

    asyncio primitives bind to the loop that first uses them, so a pool keeps one semaphore per
    (loop, provider); within one loop, every model of a provider shares one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, provider: str, limit: int) -> asyncio.Semaphore:
        """The semaphore of ``provider`` in the running loop, created with ``limit`` on first use."""
        loop = asyncio.get_running_loop()
        with self._lock:
            per_loop = self._by_loop.setdefault(loop, {})
            sem = per_loop.get(provider)
            if sem is None:
                sem = per_loop[provider] = asyncio.Semaphore(limit)
            return sem


@dataclass(frozen=True)
class ModelSettings:
    """Everything the wrapper needs besides the model name; every field has a default.

    Attributes:
        cache_mode: ``off``, ``read-write`` or ``replay-only`` (a miss raises :class:`CacheMiss`).
        cache_path: The SQLite cassette file (used unless ``cache_mode`` is ``off``).
        retry: The retry policy.
        concurrency: Per-provider limits on requests in flight, e.g. ``{"openai": 16}``. litellm models
            are limited per upstream provider: ``litellm/gemini`` (falling back to ``litellm``).
        default_concurrency: The limit of providers not named in ``concurrency``.
        base_urls: Per-provider endpoint overrides, e.g. ``{"local": "http://127.0.0.1:8080/v1"}``.
            ``local`` also reads ``STRATAGEM_LOCAL_BASE_URL``.
        prices: Price overrides keyed by ``provider/model`` or bare model name; values may be
            :class:`Price` objects or mappings with its field names (as read from YAML).
        http_backend: The transport of the ``openai`` and ``anthropic`` SDK clients: ``aiohttp`` (default;
            a fraction of the CPU per call at high concurrency) or ``httpx`` (the SDKs' own default).
        empty_reply: What an empty answer from a provider is (HTTP 200 with no choices, no content, or
            only whitespace, not truncated): ``retry_once`` (default) retries it once as a transient
            error, and an empty retry is the model's reply (scored like any unreadable reply);
            ``model`` counts it as the model's reply at once. Scripted replies are never retried.
        on_event: Called with one :class:`ModelEvent` per attempt and per cache hit.
        sleep: How retries wait (``asyncio.sleep``; tests inject a recording fake).
    """

    cache_mode: CacheMode = "off"
    cache_path: Path = Path("results/model_cache.sqlite")
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    concurrency: Mapping[str, int] = field(default_factory=dict)
    default_concurrency: int = 8
    base_urls: Mapping[str, str] = field(default_factory=dict)
    prices: Mapping[str, Price] = field(default_factory=dict)
    http_backend: HttpBackend = "aiohttp"
    empty_reply: EmptyReplyPolicy = "retry_once"
    on_event: Callable[[ModelEvent], None] | None = None
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False, compare=False)
    limiters: LimiterPool = field(default_factory=LimiterPool, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.cache_mode not in CACHE_MODES:
            raise ParameterError(f"unknown cache mode {self.cache_mode!r}; known: {', '.join(CACHE_MODES)}")
        if self.http_backend not in HTTP_BACKENDS:
            known = ", ".join(HTTP_BACKENDS)
            raise ParameterError(f"unknown http backend {self.http_backend!r}; known: {known}")
        if self.empty_reply not in EMPTY_REPLY_POLICIES:
            known = ", ".join(EMPTY_REPLY_POLICIES)
            raise ParameterError(f"unknown empty_reply policy {self.empty_reply!r}; known: {known}")
        object.__setattr__(self, "cache_path", Path(self.cache_path))
        prices: dict[str, Price] = {}
        for name, value in self.prices.items():
            if isinstance(value, Price):
                prices[name] = value
            elif isinstance(value, Mapping):
                try:
                    prices[name] = Price(**value)
                except TypeError as exc:
                    raise ParameterError(f"bad price for {name!r}: {exc}") from None
            else:
                raise ParameterError(f"bad price for {name!r}: expected a Price or a mapping, got {value!r}")
        object.__setattr__(self, "prices", prices)
        limits = {**self.concurrency, "(default)": self.default_concurrency}
        for provider, limit in limits.items():
            if not isinstance(limit, int) or limit < 1:
                raise ParameterError(
                    f"concurrency limit of {provider!r} must be a positive int, got {limit!r}"
                )

    def limit_for(self, provider: str) -> int:
        """The concurrency limit of ``provider`` (``litellm/gemini`` falls back to ``litellm``)."""
        if provider in self.concurrency:
            return self.concurrency[provider]
        parent = provider.split("/", 1)[0]
        return self.concurrency.get(parent, self.default_concurrency)

    def base_url_for(self, provider: str) -> str | None:
        """The endpoint override of ``provider`` (``local`` falls back to its env var, then a default)."""
        url = self.base_urls.get(provider)
        if url is None and provider == "local":
            url = os.environ.get(LOCAL_BASE_URL_ENV) or DEFAULT_LOCAL_BASE_URL
        return url


DEFAULT_SETTINGS = ModelSettings()
"""Used when ``get_model`` gets no settings, so default-built models share one set of limits."""
