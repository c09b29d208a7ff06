"""API keys never appear in anything the model layer writes: cache rows, events, exceptions, logs."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import traceback

import pytest
from models_support import ANTHROPIC_SENTINEL, CONFIG, MESSAGES, OPENAI_SENTINEL, SDK_MODELS, SENTINELS, with_

from harness.models import ChatMessage, InfraError, get_model
from harness.models.redact import REDACTED, redact
from harness.testing.provider_server import Reply


def _leaks(text: str) -> list[str]:
    return [s for s in SENTINELS if s in text]


@pytest.mark.parametrize("sdk", list(SDK_MODELS))
def test_sentinel_key_is_used_but_never_written(sdk, server, settings, events, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    rw = with_(settings, cache_mode="read-write", cache_path=tmp_path / f"{sdk}.sqlite")
    model = get_model(SDK_MODELS[sdk], rw)
    server.enqueue(
        Reply.ok("fine"),
        Reply.rate_limited(retry_after=1),
        Reply.error(500),
        Reply.ok("second"),
        Reply.unauthorized(echo_key=True),
        Reply.error(400, "bad request quoting the key"),
    )
    texts: list[str] = []

    async def scenario():
        await model.generate(MESSAGES, CONFIG)
        await model.generate([ChatMessage("user", "two")], CONFIG)
        for prompt in ("three", "four"):
            try:
                await model.generate([ChatMessage("user", prompt)], CONFIG)
            except InfraError as exc:
                texts.append(str(exc))
                texts.append(repr(exc))
                texts.append("".join(traceback.format_exception(exc)))

    asyncio.run(scenario())
    assert len(texts) == 6, "both fatal calls raised InfraError"
    # The key did reach the server (from the environment) …
    sentinel = ANTHROPIC_SENTINEL if sdk == "anthropic" else OPENAI_SENTINEL
    expected = hashlib.sha256(sentinel.encode()).hexdigest()[:16]
    assert {r.api_key_sha256 for r in server.requests} == {expected}
    # … and the 401 body quoted it back, so redaction was really exercised.
    assert any(REDACTED in t for t in texts)
    written = b"".join(p.read_bytes() for p in tmp_path.glob(f"{sdk}.sqlite*"))
    assert written, "the cache was written"
    assert not [s for s in SENTINELS if s.encode() in written]
    assert not _leaks("\n".join(texts))
    assert not _leaks("\n".join(repr(e) for e in events))
    assert not _leaks(caplog.text)
    assert not _leaks("\n".join(repr(r.headers) for r in server.requests))


def test_redact_removes_env_secrets_and_key_shaped_strings(monkeypatch):
    monkeypatch.setenv("SOME_PROVIDER_API_KEY", "abcdefgh12345678")
    text = "key abcdefgh12345678, bearer Bearer tok.en-123, sk-proj-ABCDEFGHIJKL"
    text += " and AIzaSyA1234567890abcdefghijk"
    cleaned = redact(text)
    for secret in ("abcdefgh12345678", "tok.en-123", "sk-proj-ABCDEFGHIJKL", "AIzaSyA1234567890abcdefghijk"):
        assert secret not in cleaned
    assert (
        redact("nothing secret here: 429 Too Many Requests") == "nothing secret here: 429 Too Many Requests"
    )
