"""The wrapper over the REAL openai / anthropic / litellm clients against the loopback server.

Request counts come from the server's log; waits from a recording fake sleep (no timing assertions).
"""

from __future__ import annotations

import asyncio

import pytest
from models_support import CONFIG, MESSAGES, SDK_MODELS, SDK_PATHS, with_

from harness.models import GenerateConfig, InfraError, RetryPolicy, get_model
from harness.testing.provider_server import ProviderServer, Reply

SDKS = list(SDK_MODELS)


def generate(name, settings, config=CONFIG, **kwargs):
    return asyncio.run(get_model(name, settings).generate(MESSAGES, config, **kwargs))


@pytest.mark.parametrize("sdk", SDKS)
def test_normal_reply_text_usage_and_request_id(sdk, server, settings, events):
    server.enqueue(Reply.ok("hello tests", input_tokens=1000, output_tokens=500, cached_tokens=200))
    completion = generate(SDK_MODELS[sdk], settings)
    assert completion.text == "hello tests"
    assert completion.finish_reason == "stop"
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (1000, 500)
    assert completion.usage.cached_tokens == 200
    assert completion.attempts == 1 and not completion.cache_hit
    assert completion.model == SDK_MODELS[sdk]
    assert completion.request_id and "000000" in completion.request_id
    assert server.count() == 1 and server.requests[0].path == SDK_PATHS[sdk]
    assert [(e.kind, e.attempt, e.outcome) for e in events] == [("attempt", 1, "ok")]


@pytest.mark.parametrize("sdk", SDKS)
def test_truncated_reply_is_length_not_retried(sdk, server, settings):
    server.enqueue(Reply.length("half a pl"))
    completion = generate(SDK_MODELS[sdk], settings)
    assert completion.finish_reason == "length"
    assert completion.text == "half a pl"
    assert server.count() == 1


@pytest.mark.parametrize("sdk", SDKS)
def test_refusal_is_a_completion_not_retried(sdk, server, settings, events):
    server.enqueue(Reply.refusal())
    completion = generate(SDK_MODELS[sdk], settings)
    assert completion.finish_reason == "refused"
    assert completion.text == ""
    assert server.count() == 1
    assert [e.outcome for e in events] == ["ok"]


@pytest.mark.parametrize("sdk", SDKS)
def test_rate_limit_waits_retry_after_then_succeeds(sdk, server, settings, sleeps, events):
    server.enqueue(Reply.rate_limited(retry_after=7), Reply.ok("after the wait"))
    completion = generate(SDK_MODELS[sdk], settings)
    assert completion.text == "after the wait"
    assert completion.attempts == 2
    assert server.count() == 2
    assert len(sleeps.waits) == 1 and sleeps.waits[0] >= 7
    assert [e.outcome for e in events] == ["rate_limited", "ok"]
    assert events[0].retry_after == 7 and events[0].wait_s is not None and events[0].wait_s >= 7


def test_retry_after_is_capped(server, settings, sleeps):
    policy = RetryPolicy(max_attempts=3, retry_after_cap_s=2.0)
    server.enqueue(Reply.rate_limited(retry_after=3600), Reply.ok())
    generate(SDK_MODELS["openai"], with_(settings, retry=policy))
    assert 2.0 <= sleeps.waits[0] <= 2.2


def test_short_real_retry_after_wait(server, settings):
    """A real (unfaked) sleep: the second request arrives no earlier than Retry-After allows."""
    import time

    server.enqueue(Reply.rate_limited(retry_after=0.2), Reply.ok())
    real = with_(settings, sleep=asyncio.sleep)
    start = time.monotonic()
    generate(SDK_MODELS["openai"], real)
    assert time.monotonic() - start >= 0.2
    assert server.count() == 2


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize(
    "failure",
    [Reply.error(500), Reply.error(529), Reply.error(503), Reply.reset(), Reply.malformed()],
    ids=["500", "529", "503", "reset", "malformed"],
)
def test_transient_failures_are_retried(sdk, failure, server, settings, sleeps, events):
    server.enqueue(failure, Reply.ok("recovered"))
    completion = generate(SDK_MODELS[sdk], settings)
    assert completion.text == "recovered"
    assert server.count() == 2, "exactly one retry: the SDK's own retries must be off"
    assert [e.outcome for e in events] == ["transient", "ok"]
    assert len(sleeps.waits) == 1 and 0 <= sleeps.waits[0] <= settings.retry.base_backoff_s


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize(
    "failure", [Reply.unauthorized(), Reply.error(400), Reply.error(404)], ids=["401", "400", "404"]
)
def test_fatal_errors_are_never_retried(sdk, failure, server, settings, sleeps, events):
    server.enqueue(failure, Reply.ok("must not be reached"))
    with pytest.raises(InfraError) as info:
        generate(SDK_MODELS[sdk], settings)
    assert info.value.cause == "Fatal"
    assert info.value.attempts == 1
    assert server.count() == 1
    assert sleeps.waits == []
    assert [e.outcome for e in events] == ["fatal"]


@pytest.mark.parametrize("sdk", SDKS)
def test_attempts_are_bounded_and_layers_do_not_multiply(sdk, server, settings, sleeps, events):
    server.default = Reply.error(500)
    try:
        with pytest.raises(InfraError) as info:
            generate(SDK_MODELS[sdk], settings)
    finally:
        server.default = Reply.ok()
    assert info.value.cause == "Transient"
    assert info.value.attempts == settings.retry.max_attempts == 4
    assert server.count() == 4
    assert len(sleeps.waits) == 3
    assert [e.attempt for e in events] == [1, 2, 3, 4]
    assert [e.wait_s is not None for e in events] == [True, True, True, False]


def test_backoff_grows_exponentially_within_ceilings(server, settings, sleeps):
    policy = RetryPolicy(max_attempts=6, base_backoff_s=1.0, max_backoff_s=4.0, max_total_wait_s=100)
    server.enqueue(*[Reply.error(500)] * 5, Reply.ok())
    generate(SDK_MODELS["openai"], with_(settings, retry=policy))
    ceilings = [1.0, 2.0, 4.0, 4.0, 4.0]
    assert len(sleeps.waits) == 5
    assert all(0 <= w <= c for w, c in zip(sleeps.waits, ceilings, strict=True))


def test_total_wait_cap_gives_up_early(server, settings, sleeps):
    policy = RetryPolicy(max_attempts=5, max_total_wait_s=5.0)
    server.enqueue(Reply.rate_limited(retry_after=10), Reply.ok())
    with pytest.raises(InfraError) as info:
        generate(SDK_MODELS["openai"], with_(settings, retry=policy))
    assert info.value.cause == "RateLimited" and info.value.attempts == 1
    assert "total wait" in str(info.value)
    assert server.count() == 1 and sleeps.waits == []


@pytest.mark.parametrize("sdk", SDKS)
def test_slow_reply_past_timeout_is_transient(sdk, settings, events):
    """A reply 30x slower than the timeout times out; the retry, answered at once, is well within it.

    A server of its own, stopped at the end, so the abandoned slow reply does not linger in the shared one.
    """
    with ProviderServer() as own:
        urls = {"openai": own.openai_base_url, "anthropic": own.anthropic_base_url}
        own_settings = with_(settings, base_urls={**urls, "litellm": own.openai_base_url})
        model = get_model(SDK_MODELS[sdk], own_settings)
        # Warm up first with the default generous timeout: an SDK's first call in a process does one-off
        # set-up inside the attempt (about a second for litellm), which must not count against 1 s.
        asyncio.run(model.generate(MESSAGES, CONFIG))
        own.clear()
        events.clear()
        own.enqueue(Reply.slow(30.0), Reply.ok("fast this time"))
        completion = asyncio.run(model.generate(MESSAGES, GenerateConfig(max_tokens=16, timeout_s=1.0)))
        assert completion.text == "fast this time"
        assert own.count() == 2
        assert [e.outcome for e in events] == ["transient", "ok"]


def test_missing_key_is_fatal_and_names_the_variable(server, settings, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(InfraError) as info:
        generate(SDK_MODELS["openai"], settings)
    assert info.value.cause == "Fatal" and "OPENAI_API_KEY" in str(info.value)
    assert server.count() == 0
