"""Prices of models (USD per million tokens) and the cost of one call.

Lookup order for ``provider/model``: the caller's overrides, then litellm's *local* cost map (read from the
JSON file inside the installed litellm package, without importing litellm), then the built-in table below
for the models litellm does not know. Unknown models cost ``None`` ("unknown"), never 0. ``scripted/`` and
``local/`` models are free unless overridden.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.models.types import Usage

FREE_PROVIDERS = frozenset({"scripted", "local"})


@dataclass(frozen=True)
class Price:
    """List prices in USD per million tokens.

    Attributes:
        input_per_m: Uncached input tokens.
        output_per_m: Output tokens (reasoning tokens included).
        cached_input_per_m: Cached input tokens; ``None`` means they cost as much as uncached ones.
    """

    input_per_m: float
    output_per_m: float
    cached_input_per_m: float | None = None

    def cost(self, usage: Usage) -> float:
        """The cost of ``usage`` (``input_tokens`` counts all input, ``cached_tokens`` of it cached)."""
        cached = min(usage.cached_tokens, usage.input_tokens)
        cached_price = self.input_per_m if self.cached_input_per_m is None else self.cached_input_per_m
        total = (
            (usage.input_tokens - cached) * self.input_per_m
            + cached * cached_price
            + usage.output_tokens * self.output_per_m
        )
        return total / 1_000_000


FREE = Price(0.0, 0.0, 0.0)

# Models of the AdvGameBench panel (and a few majors) that litellm's local map does not price. Public list
# prices as published by the providers; override them in ModelSettings.prices when they change.
BUILTIN_PRICES: dict[str, Price] = {
    "claude-3-5-sonnet-20241022": Price(3.0, 15.0, 0.30),
    "claude-3-5-haiku-20241022": Price(0.80, 4.0, 0.08),
    "claude-opus-4-1-20250805": Price(15.0, 75.0, 1.50),
    "gemini/gemini-2.0-flash-001": Price(0.10, 0.40, 0.025),
    # The 2.5 Flash preview billed thinking output at $3.50/M (non-thinking output $0.60/M); thinking is on
    # by default, so the higher figure is the honest default.
    "gemini/gemini-2.5-flash-preview-04-17": Price(0.15, 3.50, 0.0375),
    # OpenRouter's listed price in 2025; the actual price depends on the upstream it routes to.
    "openrouter/meta-llama/llama-3.3-70b-instruct": Price(0.12, 0.30),
    "dashscope/qwen-max-2025-01-25": Price(1.60, 6.40),
}

_litellm_map: dict[str, Any] | None = None
_litellm_lock = threading.Lock()


def _litellm_cost_map() -> dict[str, Any]:
    """Litellm's bundled cost map, read once from its JSON file (empty if litellm is not installed)."""
    global _litellm_map
    with _litellm_lock:
        if _litellm_map is None:
            spec = importlib.util.find_spec("litellm")
            locations = list(spec.submodule_search_locations or []) if spec else []
            _litellm_map = {}
            for folder in locations:
                path = Path(folder) / "model_prices_and_context_window_backup.json"
                if path.is_file():
                    _litellm_map = json.loads(path.read_text(encoding="utf-8"))
                    break
        return _litellm_map


def _from_litellm(entry: Mapping[str, Any]) -> Price | None:
    inp, out = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
    if not isinstance(inp, (int, float)) or not isinstance(out, (int, float)):
        return None
    cached = entry.get("cache_read_input_token_cost")
    return Price(
        inp * 1_000_000,
        out * 1_000_000,
        cached * 1_000_000 if isinstance(cached, (int, float)) else None,
    )


def _candidates(provider: str, model: str) -> list[str]:
    """Names a model may go by in the tables, most specific first."""
    names = [f"{provider}/{model}", model]
    if "/" in model:  # litellm/gemini/x → also try the bare model id "x"
        names.append(model.split("/", 1)[1])
    return list(dict.fromkeys(names))


_lookup_cache: dict[tuple[str, str], Price | None] = {}


def default_price(provider: str, model: str) -> Price | None:
    """The price of ``provider/model`` from litellm's local map or the built-in table, or ``None``."""
    key = (provider, model)
    if key in _lookup_cache:
        return _lookup_cache[key]
    price: Price | None = FREE if provider in FREE_PROVIDERS else None
    if price is None:
        cost_map = _litellm_cost_map()
        for name in _candidates(provider, model):
            entry = cost_map.get(name)
            if isinstance(entry, Mapping):
                price = _from_litellm(entry)
                if price is not None:
                    break
    if price is None:
        for name in _candidates(provider, model):
            if name in BUILTIN_PRICES:
                price = BUILTIN_PRICES[name]
                break
    _lookup_cache[key] = price
    return price


def price_for(provider: str, model: str, overrides: Mapping[str, Price]) -> Price | None:
    """The price of ``provider/model``: an override if one matches, else :func:`default_price`."""
    for name in _candidates(provider, model):
        if name in overrides:
            return overrides[name]
    return default_price(provider, model)


def cost_usd(price: Price | None, usage: Usage) -> float | None:
    """The cost of ``usage`` at ``price``, or ``None`` when the price is unknown."""
    return None if price is None else price.cost(usage)
