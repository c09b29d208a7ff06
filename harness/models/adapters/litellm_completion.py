"""``litellm/<litellm model string>``: ``litellm.acompletion`` for the 100+ other providers.

litellm is imported lazily (it takes seconds) and made fully offline first: its cost map and Anthropic
beta headers come from the installed package, it does not read a ``.env`` file, and the Hugging Face hub
is offline. Its own retries are switched off (``num_retries=0``, ``max_retries=0``) because the wrapper
owns retries; otherwise the layers multiply. Variant parameters are passed to ``acompletion`` as keyword
arguments (e.g. ``litellm/deepseek/deepseek-chat@drop_params=true``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from harness.models.adapters.classify import classify_exception
from harness.models.adapters.openai_chat import openai_usage, response_format
from harness.models.types import ChatMessage, Completion, FinishReason, GenerateConfig

OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
    "LITELLM_MODE": "PRODUCTION",  # otherwise litellm loads a .env file from the working directory
    "HF_HUB_OFFLINE": "1",
}
_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "end_turn": "stop",
    "length": "length",
    "max_tokens": "length",
    "content_filter": "refused",
    "refusal": "refused",
}


def import_litellm() -> ModuleType:
    """Import litellm with its offline switches set first."""
    os.environ.update(OFFLINE_ENV)
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    return litellm


class LiteLLMAdapter:
    """One ``litellm.acompletion`` call per request; no retries.

    Args:
        model: The litellm model string, e.g. ``gemini/gemini-2.0-flash-001``.
        params: Variant parameters, passed through as keyword arguments.
        base_url: Sent as ``api_base`` when given.
    """

    provider = "litellm"

    def __init__(self, model: str, params: Mapping[str, Any], base_url: str | None) -> None:
        self.model = model
        self.extra = dict(params)
        self.base_url = base_url

    async def prepare(self) -> None:
        """Import litellm (seconds, once) outside the per-attempt timeout."""
        import_litellm()

    def request_body(self, messages: list[ChatMessage], config: GenerateConfig) -> dict[str, Any]:
        """The keyword arguments of ``litellm.acompletion`` for this call."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.to_dict() for m in messages],
            "max_tokens": config.max_tokens,
            "timeout": config.timeout_s,
            "num_retries": 0,
            "max_retries": 0,
        }
        if config.temperature is not None:
            body["temperature"] = config.temperature
        if config.top_p is not None:
            body["top_p"] = config.top_p
        if config.seed is not None:
            body["seed"] = config.seed
        if config.response_schema is not None:
            body["response_format"] = response_format(config.response_schema, "json_schema")
        if self.base_url:
            body["api_base"] = self.base_url
        body.update(self.extra)
        body.update(config.extra)
        return body

    async def generate(self, messages: list[ChatMessage], config: GenerateConfig) -> Completion:
        """Make exactly one request; raise a classified :class:`~harness.models.types.ModelError`."""
        body = self.request_body(messages, config)
        start = time.perf_counter()
        try:
            litellm = import_litellm()
            response = await litellm.acompletion(**body)
        except Exception as exc:  # every failure is classified; nothing escapes unclassified
            raise classify_exception(exc, self.provider) from None
        latency = time.perf_counter() - start
        # No choices: an empty answer; the wrapper's ``empty_reply`` policy decides what it is.
        choices = getattr(response, "choices", None)
        choice = choices[0] if choices else None
        message = getattr(choice, "message", None)
        text = getattr(message, "content", None) or ""
        finish = _FINISH.get(str(getattr(choice, "finish_reason", None)), "other")
        return Completion(
            text="" if finish == "refused" else text,
            finish_reason=finish,
            usage=openai_usage(getattr(response, "usage", None)),
            model=f"litellm/{self.model}",
            request_id=getattr(response, "id", None),
            latency_s=latency,
        )
