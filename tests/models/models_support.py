"""Shared constants and helpers of the model-layer tests (imported by conftest and the tests)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from harness.models import ChatMessage, GenerateConfig, ModelSettings

# Key-shaped sentinels, assembled at run time so the source holds nothing a secret scanner mistakes for a key.
OPENAI_SENTINEL = "sk-" + "SENTINELopenai0123456789abcdefXYZ"
ANTHROPIC_SENTINEL = "sk-ant-" + "SENTINELanthropic0123456789XYZ"
SENTINELS = (OPENAI_SENTINEL, ANTHROPIC_SENTINEL, "SENTINEL")

MESSAGES = [ChatMessage("system", "You are terse."), ChatMessage("user", "Say hello to the test suite.")]
# A safety timeout only (a hang), never reached by a loopback reply on a slow machine: an SDK's first call
# in a process does one-off set-up inside the attempt (litellm: ~1 s idle, several seconds under load).
# Tests of the timeout itself set their own.
CONFIG = GenerateConfig(temperature=0.3, top_p=1.0, max_tokens=64, timeout_s=120.0)

# The three real SDK paths and the model name that reaches the fake server through each.
SDK_MODELS = {
    "openai": "openai/gpt-4o-2024-08-06",
    "anthropic": "anthropic/claude-3-5-sonnet-20241022",
    "litellm": "litellm/openai/gpt-4o-2024-08-06",
}
SDK_PATHS = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages", "litellm": "/v1/chat/completions"}


class Sleeps:
    """A fake ``asyncio.sleep`` that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


def with_(settings: ModelSettings, **changes: Any) -> ModelSettings:
    """``settings`` with some fields changed (a new object: its own concurrency limits)."""
    return dataclasses.replace(settings, **changes)
