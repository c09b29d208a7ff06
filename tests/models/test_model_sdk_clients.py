"""SDK clients: one per event loop and endpoint, on aiohttp by default, closed when the loop shuts down."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

import pytest
from models_support import CONFIG, MESSAGES, with_

from games.core.errors import ParameterError
from harness.models import ModelSettings, get_model
from harness.testing.provider_server import Reply


def clients_after_calls(names, settings):
    """Call each model once in one loop; return the SDK client each adapter used."""
    models = [get_model(name, settings) for name in names]

    async def main():
        texts = [(await m.generate(MESSAGES, CONFIG)).text for m in models]
        clients = [await m._adapter._client() for m in models]
        return texts, clients

    return asyncio.run(main())


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
def test_models_of_one_endpoint_share_one_client_closed_when_the_loop_ends(backend, server, settings):
    server.default = Reply.ok("shared")
    names = ["openai/model-one", "openai/model-two", "anthropic/claude-a", "anthropic/claude-b"]
    texts, clients = clients_after_calls(names, with_(settings, http_backend=backend))
    assert texts == ["shared"] * 4
    assert clients[0] is clients[1] and clients[2] is clients[3] and clients[0] is not clients[2]
    assert all(c.is_closed() for c in clients)  # asyncio.run's shutdown closed them
    transport = type(clients[0]._client._transport).__name__
    assert ("Aiohttp" in transport) == (backend == "aiohttp")


def test_each_loop_gets_its_own_client(server, settings):
    _, (first,) = clients_after_calls(["openai/m"], settings)
    _, (second,) = clients_after_calls(["openai/m"], settings)
    assert first is not second and first.is_closed() and second.is_closed()


def test_different_endpoints_get_different_clients(server, settings):
    other = with_(settings, base_urls={**settings.base_urls, "local": server.openai_base_url + "/"})
    _, clients = clients_after_calls(["openai/m", "local/m"], other)
    assert clients[0] is not clients[1]


def test_no_unclosed_session_warning_at_exit(server):
    """A process that calls a model and exits says nothing about unclosed aiohttp sessions."""
    script = textwrap.dedent(
        f"""
        import asyncio, gc, warnings
        warnings.simplefilter("always")
        from harness.models import ChatMessage, GenerateConfig, ModelSettings, get_model
        settings = ModelSettings(base_urls={{"local": {server.openai_base_url!r}}})
        model = get_model("local/m", settings)
        out = asyncio.run(model.generate([ChatMessage("user", "hi")], GenerateConfig(max_tokens=8)))
        del model
        gc.collect()
        print(out.text)
        """
    )
    server.default = Reply.ok("bye")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "bye"
    assert "Unclosed" not in done.stderr and "unclosed" not in done.stderr, done.stderr


def test_unknown_http_backend_is_a_clear_error():
    with pytest.raises(ParameterError, match="unknown http backend 'curl'; known: aiohttp, httpx"):
        ModelSettings(http_backend="curl")  # type: ignore[arg-type]
