"""Prices and cost: golden numbers, the AdvGameBench panel covered, unknown is None (never 0)."""

from __future__ import annotations

import asyncio

import pytest
from models_support import CONFIG, MESSAGES, with_

from games.core.errors import ParameterError
from harness.models import ModelSettings, Price, Usage, get_model, register_script
from harness.models.pricing import cost_usd, default_price, price_for
from harness.testing.provider_server import Reply

# The paper's twelve models, under the names Stratagem calls them by.
ADVGAMEBENCH = [
    "openai/gpt-4o-2024-08-06",
    "openai/gpt-4.1-2025-04-14",
    "openai/o3-2025-04-16",
    "openai/o3-mini-2025-01-31",
    "anthropic/claude-3-5-sonnet-20241022",
    "litellm/deepseek/deepseek-chat",
    "litellm/deepseek/deepseek-reasoner",
    "litellm/gemini/gemini-2.0-flash-001",
    "litellm/gemini/gemini-2.5-flash-preview-04-17",
    "litellm/openrouter/meta-llama/llama-3.3-70b-instruct",
    "litellm/dashscope/qwen-max-2025-01-25",
    "litellm/dashscope/qwen-plus-2025-01-25",
]


@pytest.mark.parametrize("name", ADVGAMEBENCH)
def test_every_advgamebench_model_has_a_positive_price(name):
    provider, model = name.split("/", 1)
    price = default_price(provider, model)
    assert price is not None
    assert price.input_per_m > 0 and price.output_per_m > 0


def test_golden_costs():
    usage = Usage(input_tokens=1_000_000, output_tokens=100_000, cached_tokens=200_000)
    # gpt-4o-2024-08-06 from litellm's local map: $2.50 in, $10 out, $1.25 cached.
    assert cost_usd(default_price("openai", "gpt-4o-2024-08-06"), usage) == pytest.approx(
        0.8 * 2.5 + 0.2 * 1.25 + 0.1 * 10.0
    )
    # claude-3-5-sonnet from the built-in table: $3 in, $15 out, $0.30 cache reads.
    assert cost_usd(default_price("anthropic", "claude-3-5-sonnet-20241022"), usage) == pytest.approx(
        0.8 * 3.0 + 0.2 * 0.30 + 0.1 * 15.0
    )
    # No cached price: cached tokens cost as much as uncached ones.
    assert Price(1.0, 2.0).cost(usage) == pytest.approx(1.0 + 0.2)


def test_unknown_is_none_and_free_providers_are_zero():
    assert default_price("openai", "no-such-model-xyz") is None
    assert cost_usd(None, Usage(10, 10)) is None
    assert default_price("local", "smollm2") == Price(0.0, 0.0, 0.0)
    assert default_price("scripted", "anything") == Price(0.0, 0.0, 0.0)


def test_price_overrides_from_plain_mappings():
    settings = ModelSettings(prices={"openai/x": {"input_per_m": 1.0, "output_per_m": 2.0}})
    assert settings.prices["openai/x"] == Price(1.0, 2.0)
    with pytest.raises(ParameterError):
        ModelSettings(prices={"openai/x": {"input": 1.0}})


def test_overrides_win_by_full_or_bare_name():
    custom = Price(1.0, 1.0)
    assert price_for("openai", "gpt-4o", {"openai/gpt-4o": custom}) is custom
    assert price_for("openai", "gpt-4o", {"gpt-4o": custom}) is custom
    assert price_for("local", "smollm2", {"local/smollm2": custom}) is custom


def test_cost_flows_through_the_wrapper(server, settings):
    server.enqueue(Reply.ok("x", input_tokens=2000, output_tokens=1000))
    completion = asyncio.run(get_model("openai/gpt-4.1-2025-04-14", settings).generate(MESSAGES, CONFIG))
    assert completion.cost_usd == pytest.approx((2000 * 2.0 + 1000 * 8.0) / 1e6)
    server.enqueue(Reply.ok("x"))
    unknown = asyncio.run(get_model("openai/my-fine-tune", settings).generate(MESSAGES, CONFIG))
    assert unknown.cost_usd is None
    overridden = with_(settings, prices={"openai/my-fine-tune": Price(1.0, 1.0)})
    server.enqueue(Reply.ok("x", input_tokens=500_000, output_tokens=500_000))
    priced = asyncio.run(get_model("openai/my-fine-tune", overridden).generate(MESSAGES, CONFIG))
    assert priced.cost_usd == pytest.approx(1.0)


def test_scripted_calls_cost_zero():
    register_script("pricing-zero", ["a reply"])
    completion = asyncio.run(get_model("scripted/pricing-zero").generate(MESSAGES, CONFIG))
    assert completion.cost_usd == 0.0
