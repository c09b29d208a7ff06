"""Checks of the names an experiment refers to: model names (``provider/model[@k=v]``) and games.

Providers come from the model layer's registry, plus ``bot`` (a game bot from :mod:`games.bots`, whose
name and parameters are checked here too), so a typo fails at load time instead of mid-run.
"""

from __future__ import annotations

import importlib
from typing import Any

from games.bots import BOTS, make_bot
from games.core.errors import UserError
from games.core.naming import parse_variant
from games.registry import game_names

BOT_PROVIDER = "bot"


def known_providers() -> list[str]:
    """Provider names the model layer can serve, plus ``bot``; sorted."""
    names: set[str] = {BOT_PROVIDER}
    models = importlib.import_module("harness.models")
    lister = getattr(models, "provider_names", None)
    if callable(lister):
        names.update(str(n) for n in lister())
    else:  # the registry object itself, when no helper function is exported
        registry: Any = getattr(models, "PROVIDERS", None)
        if registry is not None:
            names.update(str(n) for n in registry)
    return sorted(names)


def split_model_name(name: str) -> tuple[str, str]:
    """``"openai/gpt-4.1@x=1"`` → ``("openai", "gpt-4.1@x=1")``.

    Raises:
        ValueError: When the name has no ``provider/`` prefix or an empty part.
    """
    provider, sep, rest = name.partition("/")
    if not sep or not provider.strip() or not rest.strip():
        raise ValueError(f"model name {name!r} must look like provider/model[@k=v]")
    return provider, rest


def check_model_name(name: str) -> str:
    """Validate a model name and return it stripped.

    Raises:
        ValueError: Bad shape, unknown provider (the message lists the known ones), unknown bot or bad
            bot / variant parameters.
    """
    name = name.strip()
    provider, rest = split_model_name(name)
    providers = known_providers()
    if provider not in providers:
        raise ValueError(f"unknown model provider {provider!r} in {name!r}; known: {', '.join(providers)}")
    try:
        variant = parse_variant(rest)
        if provider == BOT_PROVIDER:
            if variant.base not in BOTS:
                raise ValueError(
                    f"unknown bot {variant.base!r} in {name!r}; known: {', '.join(BOTS.names())}"
                )
            make_bot(rest)
    except UserError as exc:
        raise ValueError(f"{name!r}: {exc}") from None
    return name


def check_game_name(name: str) -> str:
    """Validate a game name (without importing the game).

    Raises:
        ValueError: Unknown game; the message lists the known ones.
    """
    known = game_names()
    if name not in known:
        raise ValueError(f"unknown game {name!r}; known: {', '.join(known)}")
    return name


def is_bot(name: str) -> bool:
    """Whether a model name designates a game bot."""
    return name.startswith(BOT_PROVIDER + "/")
