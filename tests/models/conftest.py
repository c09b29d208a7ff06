"""Fixtures of the model-layer tests: the loopback provider server, sentinel keys, fast settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from models_support import ANTHROPIC_SENTINEL, OPENAI_SENTINEL, Sleeps

from harness.models import ModelEvent, ModelSettings, RetryPolicy
from harness.testing.provider_server import ProviderServer, Reply


@pytest.fixture(autouse=True)
def sentinel_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with sentinel keys, so any leak is detectable and no real key is ever used."""
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_SENTINEL)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_SENTINEL)
    for name in ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "STRATAGEM_LOCAL_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def _server() -> Iterator[ProviderServer]:
    with ProviderServer() as server:
        yield server


@pytest.fixture
def server(_server: ProviderServer) -> ProviderServer:
    """The shared fake server, with its log, queue, delay and reply function reset."""
    _server.clear()
    _server.default = Reply.ok()
    _server.delay_s = 0.0
    _server.reply_fn = None
    return _server


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def events() -> list[ModelEvent]:
    return []


@pytest.fixture
def settings(
    server: ProviderServer, sleeps: Sleeps, events: list[ModelEvent], tmp_path: Path
) -> ModelSettings:
    """Settings pointing every provider at the fake server, with a fake sleep and an event log."""
    return ModelSettings(
        base_urls={
            "openai": server.openai_base_url,
            "anthropic": server.anthropic_base_url,
            "litellm": server.openai_base_url,
            "local": server.openai_base_url,
        },
        retry=RetryPolicy(max_attempts=4, base_backoff_s=0.5, max_backoff_s=2.0, max_total_wait_s=60.0),
        cache_path=tmp_path / "cache.sqlite",
        on_event=events.append,
        sleep=sleeps,
    )
