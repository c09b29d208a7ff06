"""``anthropic/…``: the official ``anthropic`` SDK, Messages API, async client.

Recent SDK versions have no ``temperature`` / ``top_p`` arguments, so they go in ``extra_body``; ``top_p``
is left out when it is 1.0 (the API default), because newer Claude models reject requests that set both.
System messages become the ``system`` field. ``response_schema`` is sent as structured output
(``output_config.format``) except to Claude 3.x / 4.0 models, which do not support it; the variant
parameter ``structured=true|false`` overrides that. Other variant parameters are sent as extra fields.

Usage: ``input_tokens`` counts every input token (uncached + cache reads + cache writes), of which
``cached_tokens`` were cache reads, matching the OpenAI convention the price table uses.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from harness.models.adapters.classify import classify_exception
from harness.models.adapters.sdk_clients import HttpOptions, loop_client
from harness.models.types import ChatMessage, Completion, FinishReason, GenerateConfig, Usage

_FINISH: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "refused",
}
# Models without structured outputs: sending output_config to them is a 400.
_NO_STRUCTURED_PREFIXES = ("claude-2", "claude-instant", "claude-3", "claude-sonnet-4-2", "claude-opus-4-2")


class AnthropicMessagesAdapter:
    """One Messages request per call; no retries (the wrapper owns them).

    Args:
        model: The model id, e.g. ``claude-sonnet-4-5``.
        params: Variant parameters (see the module docstring).
        base_url: Endpoint override; ``None`` lets the SDK use ``ANTHROPIC_BASE_URL`` or its default.
        http: The HTTP transport and pool size of the (shared) SDK client.
    """

    provider = "anthropic"

    def __init__(
        self, model: str, params: Mapping[str, Any], base_url: str | None, http: HttpOptions | None = None
    ) -> None:
        self.model = model
        extra = dict(params)
        structured = extra.pop("structured", None)
        self.structured = (
            bool(structured) if structured is not None else not model.startswith(_NO_STRUCTURED_PREFIXES)
        )
        self.extra = extra
        self.base_url = base_url
        self.http = http or HttpOptions()

    async def prepare(self) -> None:
        """Import the SDK and build this loop's client (kept out of the per-attempt timeout)."""
        try:
            await self._client()
        except Exception as exc:
            raise classify_exception(exc, self.provider) from None

    async def _client(self) -> Any:
        """The running loop's SDK client for this endpoint, shared with the provider's other models."""

        def build() -> Any:
            import anthropic

            http_client = self.http.http_client(anthropic)
            return anthropic.AsyncAnthropic(max_retries=0, base_url=self.base_url, http_client=http_client)

        # The key is part of the identity (held in memory only), so a changed environment gets a new client.
        key = ("anthropic", self.base_url, os.environ.get("ANTHROPIC_API_KEY"), self.http)
        return await loop_client(key, build)

    def request_body(self, messages: list[ChatMessage], config: GenerateConfig) -> dict[str, Any]:
        """The keyword arguments of ``messages.create`` for this call."""
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": config.max_tokens,
            "messages": [m.to_dict() for m in messages if m.role != "system"],
        }
        if system:
            body["system"] = system
        if config.response_schema is not None and self.structured:
            body["output_config"] = {
                "format": {"type": "json_schema", "schema": dict(config.response_schema)}
            }
        extra_body: dict[str, Any] = dict(self.extra)
        if config.temperature is not None:
            extra_body["temperature"] = config.temperature
        if config.top_p is not None and config.top_p != 1.0:
            extra_body["top_p"] = config.top_p
        extra_body.update(config.extra)
        if extra_body:
            body["extra_body"] = extra_body
        return body

    async def generate(self, messages: list[ChatMessage], config: GenerateConfig) -> Completion:
        """Make exactly one request; raise a classified :class:`~harness.models.types.ModelError`."""
        body = self.request_body(messages, config)
        start = time.perf_counter()
        try:
            response = await (await self._client()).messages.create(**body, timeout=config.timeout_s)
        except Exception as exc:  # every SDK failure is classified; nothing escapes unclassified
            raise classify_exception(exc, self.provider) from None
        latency = time.perf_counter() - start
        # No content: an empty answer; the wrapper's ``empty_reply`` policy decides what it is.
        content = getattr(response, "content", None) or []
        text = "".join(
            getattr(block, "text", "") for block in content if getattr(block, "type", "") == "text"
        )
        finish = _FINISH.get(str(getattr(response, "stop_reason", None)), "other")
        return Completion(
            text="" if finish == "refused" else text,
            finish_reason=finish,
            usage=_usage(getattr(response, "usage", None)),
            model=f"anthropic/{self.model}",
            request_id=getattr(response, "_request_id", None) or getattr(response, "id", None),
            latency_s=latency,
        )


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage()
    uncached = int(getattr(raw, "input_tokens", 0) or 0)
    reads = int(getattr(raw, "cache_read_input_tokens", 0) or 0)
    writes = int(getattr(raw, "cache_creation_input_tokens", 0) or 0)
    return Usage(
        input_tokens=uncached + reads + writes,
        output_tokens=int(getattr(raw, "output_tokens", 0) or 0),
        cached_tokens=reads,
    )
