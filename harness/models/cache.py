"""The response cache / cassette: completions in SQLite keyed by the canonical request and a sample index.

The key is the SHA-256 of the canonical JSON of the request — provider, model, variant parameters,
messages and every generation setting that can change the reply (the timeout cannot, so it is left out) —
plus the sample index, so repeated samples at temperature > 0 stay distinct. Rows hold the request and the
completion, never a key or a header (the adapters never see headers and the request holds none); both
are written through :func:`~harness.models.redact.redact_secrets`, so a credential echoed into a reply
or quoted in a prompt is never stored (the key is computed before, from the request as sent).

The file uses WAL journaling, so several processes can share one cassette; within a process one
connection per file is shared by all tasks, its calls run in worker threads behind a lock.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from harness.models.redact import redact_secrets
from harness.models.types import ChatMessage, Completion, GenerateConfig, Usage

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    sample_index INTEGER NOT NULL,
    request_json TEXT NOT NULL,
    completion_json TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_request(
    provider: str, model: str, params: dict[str, Any], messages: list[ChatMessage], config: GenerateConfig
) -> dict[str, Any]:
    """The part of a call that determines its reply, as plain JSON data."""
    return {
        "provider": provider,
        "model": model,
        "params": params,
        "messages": [m.to_dict() for m in messages],
        "config": {
            "temperature": config.temperature,
            "top_p": config.top_p,
            "max_tokens": config.max_tokens,
            "seed": config.seed,
            "response_schema": config.response_schema,
            "extra": dict(config.extra),
        },
    }


def cache_key(request: dict[str, Any], sample_index: int) -> str:
    """The cache key of ``request`` at ``sample_index``."""
    payload = _dumps(request) + f"\x00sample={sample_index}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def describe_request(request: dict[str, Any], sample_index: int, key: str) -> str:
    """A one-line human description of a request, for cache-miss errors."""
    messages = request.get("messages") or []
    last = messages[-1]["content"] if messages else ""
    snippet = last if len(last) <= 80 else last[:77] + "..."
    return (
        f"{request['provider']}/{request['model']} sample {sample_index}, {len(messages)} message(s), "
        f"last: {snippet!r} (key {key[:16]})"
    )


class ResponseCache:
    """One SQLite cassette file.

    Args:
        path: The file (created with its folder if missing).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), timeout=30.0, check_same_thread=False, isolation_level=None)
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            self._conn.execute(
                "INSERT OR IGNORE INTO meta(name, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )

    def get(self, key: str) -> Completion | None:
        """The stored completion of ``key`` (marked as a cache hit), or ``None``."""
        with self._lock:
            row = self._conn.execute("SELECT completion_json FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        return Completion(
            text=redact_secrets(data["text"]),
            finish_reason=data["finish_reason"],
            usage=Usage(**data["usage"]),
            model=data["model"],
            request_id=data.get("request_id"),
            latency_s=0.0,
            cost_usd=data.get("cost_usd"),
            cache_hit=True,
            attempts=0,
        )

    def put(self, key: str, request: dict[str, Any], sample_index: int, completion: Completion) -> None:
        """Store ``completion`` under ``key`` (replacing an older row)."""
        data = {
            "text": completion.text,
            "finish_reason": completion.finish_reason,
            "usage": {
                "input_tokens": completion.usage.input_tokens,
                "output_tokens": completion.usage.output_tokens,
                "cached_tokens": completion.usage.cached_tokens,
            },
            "model": completion.model,
            "request_id": completion.request_id,
            "latency_s": completion.latency_s,
            "cost_usd": completion.cost_usd,
        }
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO responses(key, model, sample_index, request_json, completion_json, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    completion.model,
                    sample_index,
                    redact_secrets(_dumps(request)),
                    redact_secrets(_dumps(data)),
                    time.time(),
                ),
            )

    async def aget(self, key: str) -> Completion | None:
        """:meth:`get` in a worker thread, so the event loop never waits on the disk."""
        return await asyncio.to_thread(self.get, key)

    async def aput(
        self, key: str, request: dict[str, Any], sample_index: int, completion: Completion
    ) -> None:
        """:meth:`put` in a worker thread."""
        await asyncio.to_thread(self.put, key, request, sample_index, completion)

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


_open: dict[tuple[int, Path], ResponseCache] = {}
_open_lock = threading.Lock()


def open_cache(path: Path) -> ResponseCache:
    """The process-wide :class:`ResponseCache` of ``path`` (one connection per file per process)."""
    key = (os.getpid(), path.resolve())
    with _open_lock:
        cache = _open.get(key)
        if cache is None:
            cache = _open[key] = ResponseCache(path)
        return cache
