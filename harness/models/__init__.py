"""The model layer: ``get_model("provider/model[@k=v]")`` returns a :class:`Model` ready to call.

Providers: ``openai``, ``anthropic``, ``litellm``, ``local`` (any OpenAI-compatible server) and
``scripted`` (replies registered with :func:`register_script`). See ``wrapper.py`` for what every call
goes through (cache, limits, retries, cost, events) and ``types.py`` for the contract.
"""

from __future__ import annotations

from harness.models.adapters.scripted import ScriptExhausted, register_script
from harness.models.pricing import Price
from harness.models.providers import PROVIDERS, parse_model_name
from harness.models.settings import CacheMode, ModelSettings, RetryPolicy
from harness.models.types import (
    Adapter,
    AttemptOutcome,
    CacheMiss,
    ChatMessage,
    ChatModel,
    Completion,
    EventKind,
    Fatal,
    FinishReason,
    GenerateConfig,
    InfraError,
    ModelError,
    ModelEvent,
    RateLimited,
    Refused,
    Role,
    Transient,
    Usage,
)
from harness.models.wrapper import Model


def get_model(name: str, settings: ModelSettings | None = None) -> Model:
    """Build the model named ``provider/model[@k=v,...]``.

    Args:
        name: E.g. ``openai/gpt-4.1-2025-04-14``, ``litellm/gemini/gemini-2.0-flash-001``,
            ``local/smollm2``, ``scripted/my-test``.
        settings: Model-layer settings; pass the same object for every model of a run so they share the
            per-provider concurrency limits. ``None`` uses process-wide defaults (cache off).

    Raises:
        UnknownNameError: Unknown provider (the message lists the known ones) or unknown script.
        ParameterError: A malformed name.
    """
    return Model(name, settings)


__all__ = [
    "PROVIDERS",
    "Adapter",
    "AttemptOutcome",
    "CacheMiss",
    "CacheMode",
    "ChatMessage",
    "ChatModel",
    "Completion",
    "EventKind",
    "Fatal",
    "FinishReason",
    "GenerateConfig",
    "InfraError",
    "Model",
    "ModelError",
    "ModelEvent",
    "ModelSettings",
    "Price",
    "RateLimited",
    "Refused",
    "RetryPolicy",
    "Role",
    "ScriptExhausted",
    "Transient",
    "Usage",
    "get_model",
    "parse_model_name",
    "register_script",
]
