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

import json
import os
import time
from collections.abc import Mapping
from typing import Any

from harness.models.adapters.classify import classify_exception
from harness.models.adapters.sdk_clients import HttpOptions, loop_client
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
        http: The HTTP transport and pool size of the (shared) SDK client.
    """

    def __init__(
        self,
        provider: str,
        model: str,
        params: Mapping[str, Any],
        base_url: str | None,
        http: HttpOptions | None = None,
    ) -> None:
        self.provider = provider
        self.model = model
        extra = dict(params)
        default_format = "json_object" if provider == "local" else "json_schema"
        self.schema_format = str(extra.pop("schema_format", default_format))
        self.extra = extra
        self.base_url = base_url
        # o-series models reject max_tokens; local servers (llama-cpp-python) only know max_tokens.
        self.max_tokens_field = "max_tokens" if provider == "local" else "max_completion_tokens"
        self.http = http or HttpOptions()

    async def prepare(self) -> None:
        """Import the SDK and build this loop's client (kept out of the per-attempt timeout)."""
        try:
            await self._client()
        except Exception as exc:  # e.g. no OPENAI_API_KEY: a fatal, classified error
            raise classify_exception(exc, self.provider) from None

    async def _client(self) -> Any:
        """The running loop's SDK client for this endpoint, shared with the provider's other models."""
        api_key = os.environ.get(LOCAL_API_KEY_ENV if self.provider == "local" else "OPENAI_API_KEY")

        def build() -> Any:
            import openai

            kwargs: dict[str, Any] = {"max_retries": 0, "base_url": self.base_url}
            if self.provider == "local":
                kwargs["api_key"] = api_key or "no-key"
            return openai.AsyncOpenAI(**kwargs, http_client=self.http.http_client(openai))

        # The key is part of the identity (held in memory only), so a changed environment gets a new client.
        return await loop_client(("openai", self.provider, self.base_url, api_key, self.http), build)

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
        import httpx

        # Extra fields override built ones, as the SDK's extra_body does.
        body = {**self.request_body(messages, config), **self.extra, **dict(config.extra)}
        start = time.perf_counter()
        try:
            client = await self._client()
            # The SDK's documented raw path (its README's "undocumented endpoints"): the same client,
            # auth, headers, timeouts and error classes as chat.completions.create, without its typed
            # request transform and response models, which cost more CPU per call than all of our
            # protocol does (benchmarks/protocol_throughput.py). Our bodies are plain JSON already.
            response = await client.post(
                "/chat/completions", body=body, cast_to=httpx.Response, options={"timeout": config.timeout_s}
            )
        except Exception as exc:  # every SDK failure is classified; nothing escapes unclassified
            raise classify_exception(exc, self.provider) from None
        latency = time.perf_counter() - start
        try:
            data = json.loads(response.content)
        except ValueError:
            raise Transient(f"{self.provider}: response is not JSON") from None
        request_id = response.headers.get("x-request-id")
        return self._completion(data, request_id, latency)

    def _completion(self, data: Any, request_id: str | None, latency: float) -> Completion:
        if not isinstance(data, dict):
            raise Transient(f"{self.provider}: response is not a JSON object")
        choices = data.get("choices")
        # No choices: an empty answer; the wrapper's ``empty_reply`` policy decides what it is.
        choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
        message = choice.get("message")
        message = message if isinstance(message, dict) else {}
        content = message.get("content")
        text = content if isinstance(content, str) else ""
        finish: FinishReason = _FINISH.get(str(choice.get("finish_reason")), "other")
        if message.get("refusal"):
            finish = "refused"
        response_id = data.get("id")
        return Completion(
            text="" if finish == "refused" else text,
            finish_reason=finish,
            usage=openai_usage(data.get("usage")),
            model=f"{self.provider}/{self.model}",
            request_id=request_id or (response_id if isinstance(response_id, str) else None),
            latency_s=latency,
        )


def openai_usage(raw: Any) -> Usage:
    """Usage of an OpenAI-format response: a JSON mapping, or the openai SDK's and litellm's objects."""
    if raw is None:
        return Usage()

    def field(obj: Any, name: str) -> Any:
        return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)

    cached = field(field(raw, "prompt_tokens_details"), "cached_tokens") or 0
    return Usage(
        input_tokens=int(field(raw, "prompt_tokens") or 0),
        output_tokens=int(field(raw, "completion_tokens") or 0),
        cached_tokens=int(cached),
    )
