"""``scripted/<name>``: replays replies registered with :func:`register_script` (for tests and demos).

A script is either a list, replayed in order (each ``get_model`` call starts from the first reply; an
item may also be a :class:`~harness.models.types.ModelError` instance, which that call raises, e.g.
``Transient("boom")`` to test retries), or a callable computing the reply from the messages (it may raise
a ``ModelError`` too). When a list runs out, the call raises :class:`ScriptExhausted`, which is not a model
error: it is a broken test, so it propagates instead of becoming an ``InfraError``.

Usage is reported with a fixed rule so tests can assert it: one token per 4 characters, rounded up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from games.core.errors import EngineError, UnknownNameError
from harness.models.types import ChatMessage, Completion, GenerateConfig, ModelError, Usage

ScriptReply: TypeAlias = str | ModelError
Script: TypeAlias = Sequence[ScriptReply] | Callable[[list[ChatMessage]], str]

_scripts: dict[str, Script] = {}
_lock = threading.Lock()


class ScriptExhausted(EngineError):
    """A scripted model was asked for more replies than its script holds."""


def register_script(name: str, replies: Script, *, replace: bool = True) -> None:
    """Register the replies of ``scripted/<name>``.

    Args:
        name: The script name (the part after ``scripted/``).
        replies: A list of replies (strings or ``ModelError`` instances to raise) or a callable
            ``messages -> str``.
        replace: Whether an existing script of that name may be replaced (tests re-register freely).

    Raises:
        ValueError: If ``name`` exists and ``replace`` is false.
    """
    stored: Script = replies if callable(replies) else tuple(replies)
    with _lock:
        if name in _scripts and not replace:
            raise ValueError(f"script {name!r} is already registered")
        _scripts[name] = stored


def get_script(name: str) -> Script:
    """The script registered as ``name``.

    Raises:
        UnknownNameError: If there is none; the message lists the registered scripts.
    """
    with _lock:
        if name not in _scripts:
            known = ", ".join(sorted(_scripts)) or "(none)"
            raise UnknownNameError(
                f"unknown script {name!r} (register it with register_script); known: {known}"
            )
        return _scripts[name]


def count_tokens(text: str) -> int:
    """The scripted models' token rule: ceil(len(text) / 4)."""
    return -(-len(text) // 4)


class ScriptedAdapter:
    """Replays one registered script.

    Args:
        model: The script name.
        params: Variant parameters (none are used; accepted so names stay uniform).

    Raises:
        UnknownNameError: If no script of that name is registered (the message lists the known ones).
    """

    provider = "scripted"

    def __init__(self, model: str, params: dict[str, Any]) -> None:
        self.model = model
        self.script = get_script(model)
        self.params = params
        self._cursor = 0
        self._lock = threading.Lock()

    async def generate(self, messages: list[ChatMessage], config: GenerateConfig) -> Completion:
        """Return the next scripted reply (or raise the scripted error)."""
        if callable(self.script):
            reply: ScriptReply = self.script(messages)
        else:
            with self._lock:
                index = self._cursor
                self._cursor += 1
            if index >= len(self.script):
                raise ScriptExhausted(
                    f"scripted/{self.model} has {len(self.script)} replies "
                    f"and was asked for reply {index + 1}"
                )
            reply = self.script[index]
        if isinstance(reply, ModelError):
            raise reply
        prompt = sum(count_tokens(m.content) for m in messages)
        output = count_tokens(reply)
        truncated = output > config.max_tokens
        if truncated:
            reply = reply[: config.max_tokens * 4]
            output = config.max_tokens
        return Completion(
            text=reply,
            finish_reason="length" if truncated else "stop",
            usage=Usage(input_tokens=prompt, output_tokens=output),
            model=f"scripted/{self.model}",
            request_id=None,
            latency_s=0.0,
        )
