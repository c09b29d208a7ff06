"""Which environment variable each model needs, and what a fatal provider error means for the user.

* :func:`required_credentials` — the variables of which one must be set before a model can be called:
  ``openai/…`` needs ``OPENAI_API_KEY``, ``anthropic/…`` ``ANTHROPIC_API_KEY`` (or
  ``ANTHROPIC_AUTH_TOKEN``), ``litellm/<provider>/…`` the variable litellm reads for that provider (the
  same table as ``litellm.validate_environment``, for the providers whose credential is one API key).
  ``local/``, ``scripted/`` and ``bot/`` need none, and neither do litellm providers whose credentials
  can come from elsewhere (``bedrock``, ``vertex_ai``, ``azure``, ``ollama``…): those are not pre-checked.
* :func:`missing_credentials` — the models of a run whose variable is not set.
* :func:`fatal_advice` — one line naming the model, the error and what to do, for a fatal error
  (authentication, model not found, bad request, missing key) read from an ``InfraError`` message.

Nothing here reads a credential's value: only whether the variable is set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

# litellm provider prefix -> the variables litellm accepts for it (any one suffices).
_LITELLM_KEYS: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "text-completion-openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "mistral": ("MISTRAL_API_KEY",),
    "codestral": ("CODESTRAL_API_KEY",),
    "groq": ("GROQ_API_KEY",),
    "xai": ("XAI_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
    "cohere": ("COHERE_API_KEY",),
    "cohere_chat": ("COHERE_API_KEY",),
    "together_ai": ("TOGETHERAI_API_KEY",),
    "fireworks_ai": ("FIREWORKS_AI_API_KEY", "FIREWORKS_API_KEY", "FIREWORKSAI_API_KEY"),
    "perplexity": ("PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"),
    "cerebras": ("CEREBRAS_API_KEY",),
    "deepinfra": ("DEEPINFRA_API_KEY",),
    "huggingface": ("HUGGINGFACE_API_KEY", "HF_TOKEN"),
    "replicate": ("REPLICATE_API_KEY",),
    "ai21": ("AI21_API_KEY",),
    "ai21_chat": ("AI21_API_KEY",),
    "nvidia_nim": ("NVIDIA_NIM_API_KEY",),
}
# Bare litellm model names (no provider prefix) that litellm routes by their name.
_LITELLM_BARE = (
    ("gpt-", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("claude", "anthropic"),
)
_DIRECT: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"),
}


def required_credentials(model: str) -> tuple[str, ...]:
    """The environment variables of which one must be set to call ``model`` (empty: none is checked).

    Args:
        model: A model name, ``provider/model[@k=v,...]``.
    """
    provider, _, rest = model.strip().partition("/")
    rest = rest.split("@", 1)[0]
    if provider in _DIRECT:
        return _DIRECT[provider]
    if provider != "litellm":
        return ()
    upstream, sep, _ = rest.partition("/")
    if sep:
        return _LITELLM_KEYS.get(upstream, ())
    for prefix, inferred in _LITELLM_BARE:
        if rest.startswith(prefix):
            return _LITELLM_KEYS[inferred]
    return ()


@dataclass(frozen=True)
class MissingCredential:
    """A model whose credential variable is not set.

    Attributes:
        model: The model name.
        variables: The variables any one of which would do (the first is the usual one).
    """

    model: str
    variables: tuple[str, ...]

    def message(self) -> str:
        """``openai/gpt-4.1 needs an API key: set OPENAI_API_KEY`` (naming the alternatives, if any)."""
        head = self.variables[0]
        alt = f" (or {' or '.join(self.variables[1:])})" if len(self.variables) > 1 else ""
        return f"{self.model} needs an API key: set {head}{alt} in the environment"


def missing_credentials(models: Iterable[str]) -> list[MissingCredential]:
    """The models (in the given order, each once) whose credential variable is unset or empty."""
    out: list[MissingCredential] = []
    for model in dict.fromkeys(models):
        variables = required_credentials(model)
        if variables and not any(os.environ.get(v, "").strip() for v in variables):
            out.append(MissingCredential(model, variables))
    return out


# -------------------------------------------------------------------------------------------- fatal
_STATUS = re.compile(r"(?:Error code:|HTTP|status(?: code)?:?)\s*(\d{3})\b", re.IGNORECASE)
_BODY_MESSAGE = re.compile(r"""['"]message['"]\s*:\s*['"]([^'"]{1,200})""")
_PREFIX = re.compile(r"^.*?fatal error: (?:Fatal: )?")
_AUTH_NAMES = ("AuthenticationError", "PermissionDeniedError", "PermissionError")
_MISSING_KEY = (
    "api_key client option must be set",
    "api key must be set",
    "Could not resolve authentication",
)
_MAX_DETAIL = 200


def _kind(message: str) -> tuple[str, int | None]:
    match = _STATUS.search(message)
    status = int(match.group(1)) if match else None
    if any(hint.lower() in message.lower() for hint in _MISSING_KEY):
        return "missing_key", status
    if status in (401, 403) or any(name in message for name in _AUTH_NAMES):
        return "auth", status
    if status == 404 or "NotFoundError" in message:
        return "not_found", status
    if status in (400, 413, 422) or "BadRequestError" in message or "UnprocessableEntity" in message:
        return "bad_request", status
    return "other", status


def _detail(message: str) -> str:
    body = _BODY_MESSAGE.search(message)
    text = body.group(1) if body else _PREFIX.sub("", message)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def fatal_advice(model: str, message: str) -> str:
    """One line for a fatal provider error of ``model``: what failed, the provider's words, what to do.

    Args:
        model: The model name.
        message: The (redacted) ``InfraError`` message.
    """
    kind, status = _kind(message)
    code = f"HTTP {status}: " if status else ""
    variables = required_credentials(model)
    var = variables[0] if variables else "the provider's API key variable"
    what, todo = {
        "missing_key": ("no API key", f"set {var}"),
        "auth": ("the provider refused the credentials", f"check {var} (a valid key for this endpoint)"),
        "not_found": ("the provider does not know this model", "check the model name and the endpoint"),
        "bad_request": (
            "the provider rejected the request",
            "check the model's variant parameters and the generation settings",
        ),
        "other": ("a fatal provider error", "fix the cause"),
    }[kind]
    return f"{model}: {what} ({code}{_detail(message)}); {todo}, then rerun"
