"""``openai/…`` and ``local/…``: the official ``openai`` SDK, Chat Completions, async client.

``local/<name>`` is the same adapter pointed at any OpenAI-compatible server (llama.cpp, vLLM, Ollama) via
``ModelSettings.base_urls["local"]`` or ``STRATAGEM_LOCAL_BASE_URL``; it needs no key (it sends
``STRATAGEM_LOCAL_API_KEY`` if set).

Variant parameters (``openai/gpt-4.1@reasoning_effort=high``) are sent as extra request fields, except
``schema_format``: how ``response_schema`` is sent — ``json_schema`` (OpenAI's structured outputs, the
default for ``openai/``) or ``json_object`` (``{"type": "json_object", "schema": …}``, what llama.cpp and
llama-cpp-python accept; the default for ``local/``).
"""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from collections.abc import Mapping
from typing import Any

from harness.models.adapters.classify import classify_exception
from harness.models.types import ChatMessage, Completion, FinishReason, GenerateConfig, Transient, Usage

_FINISH: dict[str, FinishReason] = {"stop": "stop", "length": "length", "content_filter": "refused"}
LOCAL_API_KEY_ENV = "STRATAGEM_LOCAL_API_KEY"


def response_format(schema: Mapping[str, Any], schema_format: str) -> dict[str, Any]:
    """The ``response_format`` request field carrying ``schema``."""
    if schema_format == "json_object":
        return {"type": "json_object", "schema": dict(schema)}
    return {
        "type": "json_schema",
        "json_schema": {"name": "response", "schema": dict(schema), "strict": False},
    }


class OpenAIChatAdapter:
    """One Chat Completions request per call; no retries (the wrapper owns them).

    Args:
        provider: ``openai`` or ``local``.
        model: The model id sent to the server.
        params: Variant parameters (see the module docstring).
        base_url: Endpoint override; ``None`` lets the SDK use ``OPENAI_BASE_URL`` or its default.
    """

    def __init__(self, provider: str, model: str, params: Mapping[str, Any], base_url: str | None) -> None:
        self.provider = provider
        self.model = model
        extra = dict(params)
        default_format = "json_object" if provider == "local" else "json_schema"
        self.schema_format = str(extra.pop("schema_format", default_format))
        self.extra = extra
        self.base_url = base_url
        # o-series models reject max_tokens; local servers (llama-cpp-python) only know max_tokens.
        self.max_tokens_field = "max_tokens" if provider == "local" else "max_completion_tokens"
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()

    async def prepare(self) -> None:
        """Import the SDK and build this loop's client (kept out of the per-attempt timeout)."""
        try:
            self._client()
        except Exception as exc:  # e.g. no OPENAI_API_KEY: a fatal, classified error
            raise classify_exception(exc, self.provider) from None

    def _client(self) -> Any:
        """The SDK client of the running loop (httpx connection pools must not cross event loops)."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            import openai

            kwargs: dict[str, Any] = {"max_retries": 0, "base_url": self.base_url}
            if self.provider == "local":
                kwargs["api_key"] = os.environ.get(LOCAL_API_KEY_ENV) or "no-key"
            client = self._clients[loop] = openai.AsyncOpenAI(**kwargs)
        return client

    def request_body(self, messages: list[ChatMessage], config: GenerateConfig) -> dict[str, Any]:
        """The keyword arguments of ``chat.completions.create`` for this call."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.to_dict() for m in messages],
            self.max_tokens_field: config.max_tokens,
        }
        if config.temperature is not None:
            body["temperature"] = config.temperature
        if config.top_p is not None:
            body["top_p"] = config.top_p
        if config.seed is not None:
            body["seed"] = config.seed
        if config.response_schema is not None:
            body["response_format"] = response_format(config.response_schema, self.schema_format)
        return body

    async def generate(self, messages: list[ChatMessage], config: GenerateConfig) -> Completion:
        """Make exactly one request; raise a classified :class:`~harness.models.types.ModelError`."""
        body = self.request_body(messages, config)
        extra_body = {**self.extra, **dict(config.extra)}
        start = time.perf_counter()
        try:
            client = self._client()
            response = await client.chat.completions.create(
                **body, extra_body=extra_body or None, timeout=config.timeout_s
            )
        except Exception as exc:  # every SDK failure is classified; nothing escapes unclassified
            raise classify_exception(exc, self.provider) from None
        latency = time.perf_counter() - start
        return self._completion(response, latency)

    def _completion(self, response: Any, latency: float) -> Completion:
        choices = getattr(response, "choices", None)
        if not choices:
            raise Transient(f"{self.provider}: response without choices")
        choice = choices[0]
        message = getattr(choice, "message", None)
        text = getattr(message, "content", None) or ""
        refusal = getattr(message, "refusal", None)
        finish: FinishReason = _FINISH.get(str(choice.finish_reason), "other")
        if refusal:
            finish = "refused"
        usage = openai_usage(getattr(response, "usage", None))
        request_id = getattr(response, "_request_id", None) or getattr(response, "id", None)
        return Completion(
            text="" if finish == "refused" else text,
            finish_reason=finish,
            usage=usage,
            model=f"{self.provider}/{self.model}",
            request_id=request_id,
            latency_s=latency,
        )


def openai_usage(raw: Any) -> Usage:
    """Usage of an OpenAI-format response (the openai SDK's and litellm's objects alike)."""
    if raw is None:
        return Usage()
    details = getattr(raw, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) or 0
    return Usage(
        input_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        cached_tokens=int(cached),
    )
