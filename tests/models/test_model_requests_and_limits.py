"""What each adapter sends, per-provider concurrency limits, and litellm staying offline."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest
from models_support import CONFIG, MESSAGES, SDK_MODELS, with_

from harness.models import GenerateConfig, get_model


class HoldTogether:
    """A server ``reply_fn`` measuring a client's concurrency by holding requests, not by timing them.

    Each request is held until ``size`` requests are held at once (then that group is answered), or
    until all ``total`` requests of the burst have arrived (no bigger group can form). ``peak`` is the
    most requests held at once: a held request has no reply yet, so its client slot is still taken,
    and a correct client limit of ``size`` can never let ``peak`` exceed it. The safety timeout only
    fires when the client never sends ``size`` requests at once, and then ``peak`` shows how many it did.
    """

    def __init__(self, size: int, total: int, timeout_s: float = 60.0) -> None:
        self.size, self.total, self.timeout_s = size, total, timeout_s
        self.held = self.peak = self.arrived = 0
        self._group = 0
        self._cond = threading.Condition()

    def __call__(self, _request: object) -> str:
        with self._cond:
            self.arrived += 1
            self.held += 1
            self.peak = max(self.peak, self.held)
            if self.held >= self.size or self.arrived >= self.total:
                self._group += 1  # answer every request held now
                self._cond.notify_all()
            else:
                group = self._group
                self._cond.wait_for(lambda: self._group != group, self.timeout_s)
            self.held -= 1
        return "ok"


SCHEMA = {"type": "object", "properties": {"move": {"enum": ["a", "b"]}}, "required": ["move"]}
SCHEMA_CONFIG = GenerateConfig(temperature=0.3, top_p=0.9, max_tokens=77, seed=5, response_schema=SCHEMA)


def body_of(server, name, settings, config=SCHEMA_CONFIG):
    asyncio.run(get_model(name, settings).generate(MESSAGES, config))
    return server.requests[-1].body


def test_openai_request_body(server, settings):
    body = body_of(server, "openai/gpt-4.1@reasoning_effort=low", settings)
    assert body["model"] == "gpt-4.1"
    assert body["messages"] == [m.to_dict() for m in MESSAGES]
    assert body["max_completion_tokens"] == 77 and "max_tokens" not in body
    assert (body["temperature"], body["top_p"], body["seed"]) == (0.3, 0.9, 5)
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert body["reasoning_effort"] == "low"


def test_sampling_params_left_out_when_none(server, settings):
    body = body_of(server, "openai/o3-2025-04-16", settings, GenerateConfig(temperature=None, top_p=None))
    assert "temperature" not in body and "top_p" not in body and "response_format" not in body


def test_local_request_body_uses_llama_cpp_schema_format(server, settings):
    body = body_of(server, "local/smollm2", settings)
    assert body["max_tokens"] == 77
    assert body["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert server.requests[-1].path == "/v1/chat/completions"


def test_local_base_url_from_environment(server, settings, monkeypatch):
    monkeypatch.setenv("STRATAGEM_LOCAL_BASE_URL", server.openai_base_url)
    no_override = with_(settings, base_urls={})
    asyncio.run(get_model("local/smollm2", no_override).generate(MESSAGES, CONFIG))
    assert server.count() == 1


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_anthropic_request_body(server, settings):
    body = body_of(server, "anthropic/claude-sonnet-4-5", settings)
    assert body["system"] == "You are terse."
    assert body["messages"] == [MESSAGES[1].to_dict()]
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.3, 0.9, 77)
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    old = body_of(server, "anthropic/claude-3-5-sonnet-20241022", settings, CONFIG)
    assert "top_p" not in old, "top_p=1.0 is the default and newer models reject it next to temperature"
    assert old["temperature"] == 0.3
    legacy = body_of(server, "anthropic/claude-3-5-sonnet-20241022", settings)
    assert "output_config" not in legacy


def test_litellm_request_body(server, settings):
    body = body_of(server, SDK_MODELS["litellm"], settings)
    assert body["model"] == "gpt-4o-2024-08-06"
    assert body["max_tokens"] == 77 and body["temperature"] == 0.3
    assert body["response_format"]["json_schema"]["schema"] == SCHEMA


@pytest.mark.parametrize("sdk", ["openai", "anthropic"])
def test_concurrency_limit_is_shared_by_all_models_of_a_provider(sdk, server, settings):
    limited = with_(settings, concurrency={sdk: 3})
    server.reply_fn = hold = HoldTogether(size=3, total=12)
    models = [get_model(SDK_MODELS[sdk], limited), get_model(SDK_MODELS[sdk] + "@x=1", limited)]

    async def burst():
        await asyncio.gather(*(models[i % 2].generate(MESSAGES, CONFIG, sample_index=i) for i in range(12)))

    asyncio.run(burst())
    assert server.count() == 12
    assert hold.peak == 3


def test_litellm_limits_are_per_upstream_provider(server, settings):
    limited = with_(settings, concurrency={"litellm/openai": 2, "litellm": 50})
    server.reply_fn = hold = HoldTogether(size=2, total=6)
    model = get_model(SDK_MODELS["litellm"], limited)
    assert model.limit_key == "litellm/openai"

    async def burst():
        await asyncio.gather(*(model.generate(MESSAGES, CONFIG, sample_index=i) for i in range(6)))

    asyncio.run(burst())
    assert hold.peak == 2
    assert (
        get_model("litellm/gemini/gemini-2.0-flash-001", limited).settings.limit_for("litellm/gemini") == 50
    )


def test_without_a_tight_limit_requests_overlap(server, settings):
    server.reply_fn = hold = HoldTogether(size=16, total=16)
    model = get_model(SDK_MODELS["openai"], with_(settings, default_concurrency=16))

    async def burst():
        await asyncio.gather(*(model.generate(MESSAGES, CONFIG, sample_index=i) for i in range(16)))

    asyncio.run(burst())
    assert hold.peak == 16, "all 16 requests must be at the server at once (nothing serialises them)"


OFFLINE_CHECK = textwrap.dedent(
    """
    import asyncio, ipaddress, json, sys
    targets = []
    def hook(event, args):
        if event == "socket.connect":
            address = args[1]
            if isinstance(address, tuple):
                targets.append(str(address[0]))
    sys.addaudithook(hook)
    from harness.models import ChatMessage, GenerateConfig, ModelSettings, get_model
    settings = ModelSettings(base_urls={"litellm": sys.argv[1]})
    model = get_model("litellm/openai/gpt-4o-2024-08-06", settings)
    reply = asyncio.run(model.generate([ChatMessage("user", "hi")], GenerateConfig(max_tokens=5)))
    import litellm, os
    print(json.dumps({"targets": targets, "text": reply.text, "suppress": litellm.suppress_debug_info,
                      "dotenv": os.environ.get("STRATAGEM_DOTENV_PROBE"),
                      "env": {k: os.environ.get(k) for k in ("LITELLM_LOCAL_MODEL_COST_MAP",
                              "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS", "LITELLM_MODE", "HF_HUB_OFFLINE")}}))
    """
)


@pytest.mark.slow  # a fresh interpreter imports litellm: seconds
def test_litellm_is_offline_at_import_and_call_time(server, tmp_path):
    (tmp_path / ".env").write_text("STRATAGEM_DOTENV_PROBE=loaded\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LITELLM_", "HF_HUB"))}
    result = subprocess.run(
        [sys.executable, "-c", OFFLINE_CHECK, server.openai_base_url],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["text"] == "ok"
    assert report["targets"] and set(report["targets"]) == {"127.0.0.1"}
    assert report["suppress"] is True
    assert report["env"] == {
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
        "LITELLM_MODE": "PRODUCTION",
        "HF_HUB_OFFLINE": "1",
    }
    assert report["dotenv"] is None, "litellm must not load a .env file"
