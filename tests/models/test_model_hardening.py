"""Model-layer hardening: echoed keys are scrubbed, empty answers follow the policy, refused connections
are connection errors on both transports."""

from __future__ import annotations

import asyncio
import dataclasses
import socket

import pytest
from models_support import CONFIG, MESSAGES, SDK_MODELS, SENTINELS, with_

from harness.models import InfraError, RetryPolicy, get_model, register_script
from harness.models.redact import REDACTED, redact_secrets
from harness.testing.provider_server import Reply

DEEPSEEK_SENTINEL = "ds-" + "SENTINELdeepseek0123456789XYZ"
ALL_SENTINELS = (*SENTINELS, DEEPSEEK_SENTINEL)


def _leaks(data: str | bytes) -> list[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return [s for s in ALL_SENTINELS if s in text]


@pytest.mark.parametrize("sdk", [*SDK_MODELS, "litellm-deepseek"])
def test_a_key_echoed_into_the_reply_is_scrubbed_everywhere(
    sdk, server, settings, events, tmp_path, monkeypatch
):
    """A leaky proxy echoes the request headers (Authorization / x-api-key included) into the reply."""
    monkeypatch.setenv("DEEPSEEK_API_KEY", DEEPSEEK_SENTINEL)
    name = "litellm/deepseek/deepseek-chat" if sdk == "litellm-deepseek" else SDK_MODELS[sdk]
    rw = with_(settings, cache_mode="read-write", cache_path=tmp_path / "cache.sqlite")
    server.default = Reply.echo_headers()
    first = asyncio.run(get_model(name, rw).generate(MESSAGES, CONFIG))
    again = asyncio.run(get_model(name, rw).generate(MESSAGES, CONFIG))  # from the cassette
    assert server.count() == 1 and again.cache_hit
    for completion in (first, again):
        assert REDACTED in completion.text, "the header really was echoed"
        assert "authorization: " in completion.text or "x-api-key: " in completion.text
        assert not _leaks(completion.text) and not _leaks(completion.request_id or "")
    written = b"".join(p.read_bytes() for p in tmp_path.glob("cache.sqlite*"))
    assert written and not _leaks(written)
    assert not _leaks("\n".join(repr(e) for e in events))


def test_an_old_cassette_holding_a_key_is_scrubbed_on_read(server, settings, tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite"
    rw = with_(settings, cache_mode="read-write", cache_path=path)
    monkeypatch.setenv("OPENAI_API_KEY", "not-yet-a-secret-value")
    server.default = Reply.ok("the key is SENTINEL-LATER-SECRET-123")
    asyncio.run(get_model(SDK_MODELS["openai"], rw).generate(MESSAGES, CONFIG))
    monkeypatch.setenv("STRATAGEM_TEST_TOKEN", "SENTINEL-LATER-SECRET-123")  # now it is a credential
    hit = asyncio.run(get_model(SDK_MODELS["openai"], rw).generate(MESSAGES, CONFIG))
    assert hit.cache_hit and hit.text == f"the key is {REDACTED}"


def test_redact_secrets_changes_only_credential_values(monkeypatch):
    monkeypatch.setenv("MISTRAL_API_KEY", "mistral-secret-value-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "aws-example-key-01")
    text = 'plan {"units": ["sk-like-but-no-key"]} mistral-secret-value-1 aws-example-key-01'
    assert redact_secrets(text) == f'plan {{"units": ["sk-like-but-no-key"]}} {REDACTED} {REDACTED}'
    clean = "nothing to see"
    assert redact_secrets(clean) is clean


@pytest.mark.parametrize("sdk", list(SDK_MODELS))
@pytest.mark.parametrize("empty", [Reply.empty(), Reply.no_choices()], ids=["empty", "no_choices"])
def test_an_empty_answer_is_retried_once_then_is_the_models(sdk, empty, server, settings, events):
    server.enqueue(empty, Reply.ok("second try"))
    completion = asyncio.run(get_model(SDK_MODELS[sdk], settings).generate(MESSAGES, CONFIG))
    assert completion.text == "second try" and completion.attempts == 2
    assert events[0].outcome == "transient" and "empty reply" in (events[0].error or "")

    server.clear()
    events.clear()
    server.enqueue(empty, empty, Reply.ok("never asked"))
    completion = asyncio.run(get_model(SDK_MODELS[sdk], settings).generate(MESSAGES, CONFIG))
    assert completion.text == "" and completion.attempts == 2 and server.count() == 2
    assert [e.outcome for e in events] == ["transient", "ok"]


@pytest.mark.parametrize("sdk", list(SDK_MODELS))
def test_empty_reply_model_policy_counts_it_at_once(sdk, server, settings):
    server.enqueue(Reply.no_choices(), Reply.ok("never asked"))
    model = get_model(SDK_MODELS[sdk], with_(settings, empty_reply="model"))
    completion = asyncio.run(model.generate(MESSAGES, CONFIG))
    assert completion.text == "" and completion.attempts == 1 and server.count() == 1


def test_one_attempt_allowed_means_an_empty_answer_is_the_models(server, settings):
    server.enqueue(Reply.empty(), Reply.ok("never asked"))
    model = get_model(SDK_MODELS["openai"], with_(settings, retry=RetryPolicy(max_attempts=1)))
    assert asyncio.run(model.generate(MESSAGES, CONFIG)).text == ""
    assert server.count() == 1


def test_scripted_empty_replies_are_meant_and_never_retried(settings):
    register_script("empty-then-plan", ["", "plan"])
    completion = asyncio.run(get_model("scripted/empty-then-plan", settings).generate(MESSAGES, CONFIG))
    assert completion.text == "" and completion.attempts == 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
@pytest.mark.parametrize("sdk", list(SDK_MODELS))
def test_a_refused_connection_is_a_connection_error_on_both_transports(sdk, backend, settings, events):
    port = _closed_port()  # nothing listens: the OS refuses at once, no waiting involved
    urls = {
        "openai": f"http://127.0.0.1:{port}/v1",
        "litellm": f"http://127.0.0.1:{port}/v1",
        "anthropic": f"http://127.0.0.1:{port}",
    }
    refused = dataclasses.replace(
        settings, base_urls=urls, http_backend=backend, retry=RetryPolicy(max_attempts=2)
    )
    with pytest.raises(InfraError) as info:
        asyncio.run(get_model(SDK_MODELS[sdk], refused).generate(MESSAGES, CONFIG))
    assert info.value.cause == "Transient"
    assert "connection error (ConnectionRefusedError" in str(info.value)
    assert "timed out" not in str(info.value)
    assert [e.outcome for e in events] == ["transient", "transient"]
