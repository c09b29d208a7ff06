"""Model names, the provider registry and the scripted provider."""

from __future__ import annotations

import asyncio

import pytest
from models_support import CONFIG, MESSAGES

from games.core.errors import ParameterError, UnknownNameError
from harness.models import (
    ChatMessage,
    GenerateConfig,
    InfraError,
    ModelSettings,
    RetryPolicy,
    ScriptExhausted,
    Transient,
    get_model,
    parse_model_name,
    register_script,
)


def test_names_parse_with_variants_and_litellm_slashes():
    name = parse_model_name("litellm/openrouter/meta-llama/llama-3.3-70b-instruct@drop_params=true")
    assert (name.provider, name.model, name.params) == (
        "litellm",
        "openrouter/meta-llama/llama-3.3-70b-instruct",
        {"drop_params": True},
    )
    assert str(parse_model_name("openai/o3@reasoning_effort=high")) == "openai/o3@reasoning_effort=high"


def test_unknown_provider_lists_the_known_ones():
    with pytest.raises(UnknownNameError) as info:
        get_model("mistral/large")
    for provider in ("anthropic", "litellm", "local", "openai", "scripted"):
        assert provider in str(info.value)


@pytest.mark.parametrize("bad", ["gpt-4o", "openai/", "/gpt-4o", "openai/x@temperature"])
def test_malformed_names_are_parameter_errors(bad):
    with pytest.raises(ParameterError):
        parse_model_name(bad)


def test_unknown_script_is_an_unknown_name():
    with pytest.raises(UnknownNameError, match="never-registered"):
        get_model("scripted/never-registered")


def run(model, messages=MESSAGES, config=CONFIG):
    return asyncio.run(model.generate(messages, config))


def test_scripted_list_replays_in_order_then_fails_loudly():
    register_script("two-replies", ["first reply", "second"])
    model = get_model("scripted/two-replies")
    assert run(model).text == "first reply"
    second = run(model)
    assert second.text == "second" and second.finish_reason == "stop"
    with pytest.raises(ScriptExhausted, match="2 replies"):
        run(model)
    assert run(get_model("scripted/two-replies")).text == "first reply", "each model starts afresh"


def test_scripted_usage_rule_and_truncation():
    register_script("usage", ["x" * 10])
    completion = run(get_model("scripted/usage"), [ChatMessage("user", "y" * 9)])
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (3, 3)
    register_script("long", ["z" * 100])
    cut = run(get_model("scripted/long"), config=GenerateConfig(max_tokens=5))
    assert cut.finish_reason == "length" and cut.text == "z" * 20 and cut.usage.output_tokens == 5


def test_scripted_callable_sees_the_messages():
    register_script("echo", lambda messages: messages[-1].content.upper())
    assert run(get_model("scripted/echo")).text == "SAY HELLO TO THE TEST SUITE."


def test_scripted_errors_go_through_the_retry_policy():
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    settings = ModelSettings(retry=RetryPolicy(max_attempts=2, base_backoff_s=0.1), sleep=no_sleep)
    register_script("flaky", [Transient("boom"), "recovered"])
    completion = run(get_model("scripted/flaky", settings))
    assert completion.text == "recovered" and completion.attempts == 2 and len(waits) == 1
    register_script("broken", [Transient("boom"), Transient("boom again"), "never"])
    with pytest.raises(InfraError) as info:
        run(get_model("scripted/broken", settings))
    assert info.value.cause == "Transient" and info.value.attempts == 2
