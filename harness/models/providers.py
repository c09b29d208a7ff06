"""The provider registry and the ``provider/model[@k=v,...]`` name syntax.

Each provider maps to a factory ``(model, params, settings) -> Adapter``; SDKs are imported only when a
provider's adapter makes its first request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from games.core.errors import ParameterError
from games.core.naming import format_variant, parse_variant
from games.core.registry import Registry
from harness.models.adapters.anthropic_messages import AnthropicMessagesAdapter
from harness.models.adapters.litellm_completion import LiteLLMAdapter
from harness.models.adapters.openai_chat import OpenAIChatAdapter
from harness.models.adapters.scripted import ScriptedAdapter
from harness.models.adapters.sdk_clients import HttpOptions
from harness.models.settings import ModelSettings
from harness.models.types import Adapter

AdapterFactory = Callable[[str, dict[str, Any], ModelSettings], Adapter]

PROVIDERS: Registry[AdapterFactory] = Registry("model provider")


def _http(settings: ModelSettings, provider: str) -> HttpOptions:
    return HttpOptions.for_limit(settings.http_backend, settings.limit_for(provider))


PROVIDERS.register(
    "openai", lambda m, p, s: OpenAIChatAdapter("openai", m, p, s.base_url_for("openai"), _http(s, "openai"))
)
PROVIDERS.register(
    "local", lambda m, p, s: OpenAIChatAdapter("local", m, p, s.base_url_for("local"), _http(s, "local"))
)
PROVIDERS.register(
    "anthropic",
    lambda m, p, s: AnthropicMessagesAdapter(m, p, s.base_url_for("anthropic"), _http(s, "anthropic")),
)
PROVIDERS.register("litellm", lambda m, p, s: LiteLLMAdapter(m, p, s.base_url_for("litellm")))
PROVIDERS.register("scripted", lambda m, p, s: ScriptedAdapter(m, p))


@dataclass(frozen=True)
class ModelName:
    """A parsed model name.

    Attributes:
        provider: The registered provider (``openai``, ``anthropic``, ``litellm``, ``local``, ``scripted``).
        model: Everything after the first ``/`` and before ``@`` (may itself contain ``/`` for litellm).
        params: Variant parameters.
    """

    provider: str
    model: str
    params: dict[str, Any]

    def __str__(self) -> str:
        return format_variant(f"{self.provider}/{self.model}", self.params)


def parse_model_name(name: str) -> ModelName:
    """Parse ``provider/model[@k=v,...]`` and check the provider is known.

    Raises:
        ParameterError: If the name has no ``provider/`` part or no model.
        UnknownNameError: If the provider is unknown (the message lists the known providers).
    """
    variant = parse_variant(name)
    provider, sep, model = variant.base.partition("/")
    if not sep or not provider or not model:
        known = ", ".join(PROVIDERS.names())
        raise ParameterError(f"model name {name!r} must look like provider/model (providers: {known})")
    PROVIDERS.get(provider)
    return ModelName(provider, model, dict(variant.params))


def make_adapter(name: ModelName, settings: ModelSettings) -> Adapter:
    """Build the adapter of ``name``."""
    return PROVIDERS.get(name.provider)(name.model, dict(name.params), settings)
