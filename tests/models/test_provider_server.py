"""The loopback provider server itself: SSE with the real SDKs, reply functions, the log, clean stops."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest
from models_support import ANTHROPIC_SENTINEL, CONFIG, MESSAGES, OPENAI_SENTINEL

from harness.models import ModelSettings, get_model
from harness.testing.provider_server import ProviderServer, Reply


def test_openai_streaming_parses_with_the_real_sdk(server):
    import openai

    server.enqueue(Reply.ok("streamed text", input_tokens=12, output_tokens=3))

    async def stream():
        client = openai.AsyncOpenAI(base_url=server.openai_base_url, max_retries=0)
        chunks = await client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True,
            stream_options={"include_usage": True},
        )  # fmt: skip
        parts, finish, usage = [], None, None
        async for chunk in chunks:
            if chunk.choices:
                parts.append(chunk.choices[0].delta.content or "")
                finish = chunk.choices[0].finish_reason or finish
            usage = chunk.usage or usage
        await client.close()
        return "".join(parts), finish, usage

    text, finish, usage = asyncio.run(stream())
    assert (text, finish) == ("streamed text", "stop")
    assert (usage.prompt_tokens, usage.completion_tokens) == (12, 3)
    assert server.requests[0].stream


def test_anthropic_streaming_parses_with_the_real_sdk(server):
    import anthropic

    server.enqueue(Reply.length("cut off", input_tokens=9, output_tokens=2))

    async def stream():
        client = anthropic.AsyncAnthropic(base_url=server.anthropic_base_url, max_retries=0)
        async with client.messages.stream(
            model="claude-x", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
        ) as events:
            message = await events.get_final_message()
        await client.close()
        return message

    message = asyncio.run(stream())
    assert message.content[0].text == "cut off"
    assert message.stop_reason == "max_tokens"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (9, 2)


def test_reply_function_computes_replies_from_the_request(server):
    settings = ModelSettings(
        base_urls={"openai": server.openai_base_url, "anthropic": server.anthropic_base_url}
    )
    server.reply_fn = lambda req: f"{req.model}|{req.system}|{req.last_user_text[::-1]}"

    async def both():
        a = await get_model("openai/m1", settings).generate(MESSAGES, CONFIG)
        b = await get_model("anthropic/m2", settings).generate(MESSAGES, CONFIG)
        return a.text, b.text

    a, b = asyncio.run(both())
    assert a == "m1|You are terse.|.etius tset eht ot olleh yaS"
    assert b == "m2|You are terse.|.etius tset eht ot olleh yaS"
    server.reply_fn = lambda req: Reply.refusal()
    refused = asyncio.run(get_model("openai/m1", settings).generate(MESSAGES, CONFIG))
    assert refused.finish_reason == "refused"


def test_queue_takes_precedence_and_log_redacts_keys(server):
    settings = ModelSettings(
        base_urls={"openai": server.openai_base_url, "anthropic": server.anthropic_base_url}
    )
    server.reply_fn = lambda req: "from the function"
    server.enqueue(Reply.ok("from the queue"))

    async def calls():
        first = await get_model("openai/m", settings).generate(MESSAGES, CONFIG)
        second = await get_model("anthropic/m", settings).generate(MESSAGES, CONFIG)
        return first.text, second.text

    assert asyncio.run(calls()) == ("from the queue", "from the function")
    assert server.count() == 2 and server.count("/v1/messages") == 1 and server.pending == 0
    for request in server.requests:
        secret_headers = {k: v for k, v in request.headers.items() if k in ("authorization", "x-api-key")}
        assert secret_headers and set(secret_headers.values()) == {"<redacted>"}
        assert request.api_key_sha256
    logged = repr(server.requests)
    assert OPENAI_SENTINEL not in logged and ANTHROPIC_SENTINEL not in logged


def _wait_until(condition, what: str, timeout_s: float = 60.0) -> None:
    """Poll ``condition``; the timeout only catches a hang (it is never reached on a slow machine)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not after {timeout_s:g} s"
        time.sleep(0.01)


def test_stop_is_clean_with_kept_alive_and_delayed_requests():
    # Only this server's threads are counted: other servers' threads (the shared fixture's) may end
    # at any moment, so comparing totals with a baseline would depend on timing.
    before = set(threading.enumerate())
    srv = ProviderServer(delay_s=30.0).start()
    port = srv.port
    idle = socket.create_connection(("127.0.0.1", port))  # a kept-alive connection with no request
    waiting = socket.create_connection(("127.0.0.1", port))
    waiting.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
    _wait_until(lambda: srv.count() == 1, "the delayed request reached the server")

    def started() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t not in before]

    _wait_until(lambda: len(started()) >= 3, "serve loop + two connection threads")
    ours = started()
    srv.stop()
    # the delayed reply is woken and the idle connection closed: the threads end
    _wait_until(lambda: not any(t.is_alive() for t in ours), "the server's threads ended")
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    idle.close()
    waiting.close()
