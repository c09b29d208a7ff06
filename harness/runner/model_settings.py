"""The model layer's settings of a run, from an experiment's fields (:func:`model_settings_for`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.models.settings import ModelSettings


def model_settings_for(
    concurrency: dict[str, int],
    cache_mode: str,
    cache_path: str,
    http_backend: str = "aiohttp",
    empty_reply: str = "retry_once",
) -> ModelSettings:
    """The model layer's settings of a run: limits (``default`` for the rest), cache, transport, empties."""
    limits = {k: v for k, v in concurrency.items() if k != "default"}
    kwargs: dict[str, Any] = {
        "concurrency": limits,
        "cache_mode": cache_mode,
        "cache_path": Path(cache_path),
        "http_backend": http_backend,
        "empty_reply": empty_reply,
    }
    if "default" in concurrency:
        kwargs["default_concurrency"] = concurrency["default"]
    return ModelSettings(**kwargs)
