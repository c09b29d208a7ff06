"""Turn SDK exceptions and HTTP statuses into the model-layer error taxonomy.

Shared by every adapter because the three SDKs agree on the shape that matters: an exception with a
``status_code``, a ``response`` carrying headers and (sometimes) a parsed ``body``. Every message passes
through :func:`~harness.models.redact.redact`.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from typing import Any

from harness.models.redact import redact
from harness.models.types import Fatal, ModelError, RateLimited, Refused, Transient

# Error codes that providers use for a content-filter refusal delivered as an HTTP error.
_REFUSAL_CODES = frozenset({"content_filter", "content_policy_violation", "refusal"})
_MAX_MESSAGE = 500  # error bodies can be long HTML pages; keep events and logs readable
_MAX_CHAIN = 16
# Connection failures that are not ``ConnectionError`` subclasses: aiohttp's and httpx's own classes.
_CONNECT_ERRORS = frozenset(
    {"ClientConnectorError", "ClientConnectionError", "ServerDisconnectedError", "ConnectError"}
)


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms is not None:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _headers_of(exc: BaseException) -> Mapping[str, str] | None:
    """Response headers of an SDK error (litellm keeps the provider's in ``litellm_response_headers``)."""
    candidates = (
        getattr(exc, "litellm_response_headers", None),
        getattr(getattr(exc, "response", None), "headers", None),
        getattr(exc, "headers", None),
    )
    for headers in candidates:
        if headers is not None and hasattr(headers, "items") and len(headers):
            return {str(k): str(v) for k, v in headers.items()}
    return None


def _error_code(body: Any) -> str | None:
    """The ``code`` / ``type`` of an OpenAI- or Anthropic-style error body."""
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping):
            for key in ("code", "type"):
                value = inner.get(key)
                if isinstance(value, str):
                    return value
    return None


def short(message: str) -> str:
    """Redact and shorten a message for errors and events."""
    message = redact(message)
    return message if len(message) <= _MAX_MESSAGE else message[:_MAX_MESSAGE] + "…"


def classify_status(
    status: int, message: str, headers: Mapping[str, str] | None = None, body: Any = None
) -> ModelError:
    """The error for an HTTP ``status``: 429 rate-limited; 408/409/425/5xx transient; other 4xx fatal."""
    text = short(message)
    if status == 429:
        return RateLimited(text, retry_after=parse_retry_after(headers))
    if status in (408, 409, 425) or status >= 500:
        return Transient(text)
    if _error_code(body) in _REFUSAL_CODES:
        return Refused(text)
    return Fatal(text)


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions behind it (``__cause__``, else ``__context__``), nearest first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < _MAX_CHAIN:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def connection_failure(exc: BaseException) -> BaseException | None:
    """The error behind ``exc`` if it is a failure to connect (refused, reset, unreachable), else ``None``.

    Transports disagree on the class: over aiohttp the openai SDK reports a refused connection as
    ``APITimeoutError`` (httpx-aiohttp maps aiohttp's ``ClientConnectorError`` to ``httpx.ConnectTimeout``),
    over httpx as ``APIConnectionError``; the OS error at the bottom of the chain says what happened.
    """
    chain = _causes(exc)
    os_level = [c for c in chain if isinstance(c, ConnectionError)]
    if os_level:
        return os_level[-1]  # the deepest: ConnectionRefusedError, ConnectionResetError…
    return next((c for c in chain if type(c).__name__ in _CONNECT_ERRORS), None)


def classify_exception(exc: BaseException, provider: str) -> ModelError:
    """Classify any exception raised by an SDK call of ``provider``."""
    name = type(exc).__name__
    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, json.JSONDecodeError):
        return Transient(f"{provider}: malformed JSON in the response body ({exc.msg})")
    refused = connection_failure(exc)  # before the status: litellm reports a refused connection as a 500
    if refused is not None:
        return Transient(short(f"{provider}: connection error ({type(refused).__name__}: {refused})"))
    if isinstance(exc, TimeoutError) or "Timeout" in name:
        return Transient(short(f"{provider}: timed out ({name})"))
    if "ContentPolicyViolation" in name:
        return Refused(short(f"{provider}: {name}: {exc}"))
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and status >= 400:
        return classify_status(
            status, f"{provider}: {name}: {exc}", _headers_of(exc), getattr(exc, "body", None)
        )
    if "Connection" in name:
        return Transient(short(f"{provider}: connection error ({name}: {exc})"))
    return Fatal(short(f"{provider}: {name}: {exc}"))
