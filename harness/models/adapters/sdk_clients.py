"""SDK clients shared per event loop, on an aiohttp transport, closed when the loop shuts down.

Why one client per (event loop, endpoint) and not one per model: every client owns a connection pool,
and a run of fifteen models against one provider needs one pool sized to that provider's limit, not
fifteen half-empty ones (each with its own TLS context, ~40 ms to build here).

Why aiohttp: the SDKs' default transport (httpx over httpcore) walks its whole connection pool,
checking every idle socket, on each request. Measured with one openai client keeping 64 requests in
flight against the loopback server: ~21 ms of client CPU per call on httpx, ~3.7 ms on aiohttp — the
difference between a CPU-bound run and one that waits only on the provider. The
``openai`` and ``anthropic`` SDKs both ship ``DefaultAioHttpClient`` (their ``[aiohttp]`` extra) for
this reason; ``http_backend="httpx"`` in :class:`~harness.models.settings.ModelSettings` goes back to
the SDK default.

Why close on loop shutdown: an aiohttp session left open when its loop closes logs "Unclosed client
session" at exit. The clients of a loop are closed by an async generator parked on that loop:
``asyncio.run`` (and pytest's loops) finalise every live async generator before closing, so the
clients close on every exit path — normal end, Ctrl-C, an exception — without each caller having to.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncGenerator, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Literal

HttpBackend = Literal["aiohttp", "httpx"]
HTTP_BACKENDS: tuple[HttpBackend, ...] = ("aiohttp", "httpx")

# The SDKs' own defaults (1,000 connections, 100 kept alive); a higher provider limit raises them.
_MIN_CONNECTIONS = 1000
_MIN_KEEPALIVE = 100


@dataclass(frozen=True)
class HttpOptions:
    """How an adapter's SDK client talks HTTP.

    Attributes:
        backend: ``aiohttp`` (default) or ``httpx`` (the SDK's own default transport).
        keepalive: Idle connections kept open: at least the provider's concurrency limit, so a full
            set of requests in flight never reconnects.
    """

    backend: HttpBackend = "aiohttp"
    keepalive: int = _MIN_KEEPALIVE

    @classmethod
    def for_limit(cls, backend: HttpBackend, limit: int) -> HttpOptions:
        """Options whose pool keeps ``limit`` requests in flight on open connections."""
        return cls(backend=backend, keepalive=max(limit, _MIN_KEEPALIVE))

    def http_client(self, sdk: Any) -> Any:
        """The ``http_client`` argument of an ``openai`` / ``anthropic`` async client.

        Args:
            sdk: The SDK module (``openai`` or ``anthropic``); both expose the same two client classes.
        """
        # The SDK's own Limits class: anthropic builds on a vendored httpx fork, openai on httpx.
        limits = type(sdk.DEFAULT_CONNECTION_LIMITS)(
            max_connections=max(self.keepalive, _MIN_CONNECTIONS), max_keepalive_connections=self.keepalive
        )
        if self.backend == "aiohttp":
            return sdk.DefaultAioHttpClient(limits=limits)
        return sdk.DefaultAsyncHttpxClient(limits=limits)


_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, Any]] = (
    weakref.WeakKeyDictionary()
)
# The parked closers, kept alive here: the loop itself holds its async generators only weakly.
_closers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncGenerator[None, None]] = (
    weakref.WeakKeyDictionary()
)


async def _close_at_shutdown(clients: dict[Hashable, Any]) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        for client in list(clients.values()):
            with contextlib.suppress(Exception):  # closing is best effort; the loop is going away
                await client.close()
        clients.clear()


async def loop_client(key: Hashable, factory: Callable[[], Any]) -> Any:
    """The client stored under ``key`` for the running loop, built by ``factory`` on first use.

    Args:
        key: Everything that makes two clients different (SDK, endpoint, key, HTTP options).
        factory: Builds the client; exceptions propagate (e.g. a missing API key).
    """
    loop = asyncio.get_running_loop()
    clients = _clients.get(loop)
    if clients is None:
        clients = _clients[loop] = {}
        closer = _close_at_shutdown(clients)
        await closer.__anext__()  # first iteration registers it with the loop's async-generator hooks
        _closers[loop] = closer
    client = clients.get(key)
    if client is None:
        client = clients[key] = factory()
    return client
