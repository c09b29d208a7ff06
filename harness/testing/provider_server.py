"""A loopback fake of the OpenAI and Anthropic HTTP APIs with scripted behaviour, for tests and benchmarks.

It speaks ``POST /v1/chat/completions`` (OpenAI Chat Completions) and ``POST /v1/messages`` (Anthropic
Messages), JSON or server-sent events when the request says ``"stream": true``, plus ``GET /v1/models``.
It binds 127.0.0.1 on a free port, serves each connection in its own thread (so slow replies never
serialise each other) and stops cleanly, closing kept-alive connections.

Usage::

    from harness.testing.provider_server import ProviderServer, Reply

    with ProviderServer(default=None, delay_s=0.0, reply_fn=None) as server:   # all optional
        server.openai_base_url        # "http://127.0.0.1:PORT/v1"  -> openai SDK base_url, litellm api_base
        server.anthropic_base_url     # "http://127.0.0.1:PORT"     -> anthropic SDK base_url
        server.enqueue(Reply.rate_limited(retry_after=1), Reply.ok("hi"))  # one per request, in order
        server.default = Reply.ok("fallback")        # used when the queue is empty and no reply_fn
        server.reply_fn = lambda req: "{}"          # compute the reply (str or Reply) from the request
        server.delay_s = 0.3                         # wait before every reply (concurrently, per request)
        ...
        server.requests               # list[RecordedRequest], in arrival order
        server.count("/v1/messages")  # number of requests (optionally to one path)
        server.max_in_flight          # most API requests being answered at once (concurrency checks)
        server.clear()                # forget the log and the queue

Precedence for each request: the next queued reply, else ``reply_fn(request)``, else ``default``.
``reply_fn`` runs in the server's connection threads, possibly several at once: keep it thread-safe.

Behaviours (:class:`Reply` class methods): ``ok(text, input_tokens=, output_tokens=, cached_tokens=)``,
``length`` (finish_reason ``length`` / stop_reason ``max_tokens``), ``refusal`` (``content_filter`` /
``refusal``), ``rate_limited(retry_after)`` (429 + ``Retry-After``), ``error(status)`` (500, 529, 400…),
``unauthorized()`` (401 quoting the received key, to test redaction), ``reset()`` (TCP reset, no response),
``malformed()`` (200 with a cut JSON body), ``empty()`` (200, empty text), ``no_choices()`` (200, no
choices / no content blocks), ``echo_headers()`` (200 whose text is the request headers, the API key
included, as a leaky proxy sends), ``slow(delay_s, then=...)`` (reply after a delay, e.g. past the
client's timeout). Usage defaults to ceil(chars / 4) of the request's messages and of the reply.

The log: each :class:`RecordedRequest` has ``method``, ``path``, ``api`` (``openai`` / ``anthropic``),
``body`` (parsed JSON), ``headers`` (lower-cased; any key, token or auth header replaced by
``<redacted>``), ``api_key_sha256`` (first 16 hex digits of the SHA-256 of the key received, so tests can
check which key arrived without the log holding it), ``stream``, ``index`` (arrival order), ``reply_kind``
and helpers ``model``, ``messages`` (Anthropic's ``system`` first, as a system message), ``system``,
``last_user_text``.

Run it standalone (benchmarks run it in a child process so it does not share the client's GIL)::

    python -m harness.testing.provider_server [--delay 0.0] [--text ok]

It prints ``READY http://127.0.0.1:PORT`` and serves until stdin closes or it is terminated.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import socket
import struct
import sys
import threading
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness.testing.provider_wire import (
    Api,
    RecordedRequest,
    Reply,
    anthropic_body,
    anthropic_stream,
    count_tokens,
    error_body,
    openai_body,
    openai_stream,
)

__all__ = ["ProviderServer", "RecordedRequest", "Reply", "count_tokens"]

REDACTED = "<redacted>"
_SECRET_HEADER_HINTS = ("key", "token", "auth", "cookie", "secret")
_PATHS: dict[str, Api] = {"/v1/chat/completions": "openai", "/v1/messages": "anthropic"}


def _received_key(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return headers.get("x-api-key") or headers.get("api-key")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDKs expect
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr line."""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.track(self.connection, add=False)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            self._send_json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]}, {})
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}"}}, {})

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path = self.path.split("?", 1)[0].rstrip("/")
        api = _PATHS.get(path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        key = _received_key(headers)
        record = RecordedRequest(
            method="POST",
            path=path,
            api=api,
            body=body,
            headers={
                k: REDACTED if any(h in k for h in _SECRET_HEADER_HINTS) else v for k, v in headers.items()
            },
            api_key_sha256=hashlib.sha256(key.encode()).hexdigest()[:16] if key else None,
            stream=bool(isinstance(body, dict) and body.get("stream")),
        )
        if api is None:
            self.server.owner.take_reply(record)
            self._send_json(404, {"error": {"message": f"no route {path}"}}, {})
            return
        owner = self.server.owner
        reply = owner.take_reply(record)
        owner.in_flight_change(+1)
        try:
            delay = owner.delay_s + reply.delay_s
            if delay > 0 and owner.stopping.wait(delay):
                return  # the server is stopping: drop the request
            self._answer(api, record, reply, key)
        finally:
            owner.in_flight_change(-1)

    def _answer(self, api: Api, record: RecordedRequest, reply: Reply, key: str | None) -> None:
        request_id = f"req_{record.index:06d}"
        headers = {("request-id" if api == "anthropic" else "x-request-id"): request_id, **reply.headers}
        if reply.kind == "reset":
            # SO_LINGER 0 turns close() into a TCP reset instead of an orderly shutdown.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if reply.kind == "malformed":
            self._send_bytes(
                200, b'{"id": "broken", "choices": [{"index": 0, "mess', "application/json", headers
            )
            return
        if reply.kind in ("rate_limited", "error", "unauthorized"):
            message = reply.message
            if reply.kind == "unauthorized" and reply.echo_key and key:
                message = f"{message}: {key}"
            if reply.retry_after is not None:
                value = reply.retry_after
                headers["retry-after"] = str(int(value)) if float(value).is_integer() else str(value)
            self._send_json(reply.status, error_body(api, reply.status, message), headers)
            return
        if reply.kind == "echo_headers":
            raw = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
            reply = dataclasses.replace(reply, text=raw)
        body = record.body if isinstance(record.body, dict) else {}
        model = str(body.get("model", "fake-model"))
        prompt = "".join(m["content"] for m in record.messages)
        if api == "openai":
            payload = openai_body(reply, model, prompt, request_id)
            if record.stream:
                include = bool((body.get("stream_options") or {}).get("include_usage"))
                self._send_bytes(200, openai_stream(payload, include), "text/event-stream", headers)
                return
        else:
            payload = anthropic_body(reply, model, prompt, request_id)
            if record.stream:
                self._send_bytes(200, anthropic_stream(payload), "text/event-stream", headers)
                return
        self._send_json(200, payload, headers)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        self._send_bytes(status, json.dumps(payload).encode("utf-8"), "application/json", headers)

    def _send_bytes(self, status: int, data: bytes, content_type: str, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (e.g. timed out on a slow reply)
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # 64+ clients connect at once in the benchmarks
    allow_reuse_address = True

    def __init__(self, owner: ProviderServer, address: tuple[str, int]) -> None:
        self.owner = owner
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, conn: socket.socket, add: bool) -> None:
        with self._conn_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def close_connections(self) -> None:
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class ProviderServer:
    """The fake provider server (see the module docstring).

    Args:
        default: The reply when nothing is queued and there is no ``reply_fn``.
        delay_s: Seconds to wait before every reply.
        reply_fn: Computes a reply (text or :class:`Reply`) from each request.
    """

    def __init__(
        self,
        default: Reply | None = None,
        delay_s: float = 0.0,
        reply_fn: Callable[[RecordedRequest], str | Reply] | None = None,
    ) -> None:
        self.default = default or Reply.ok()
        self.delay_s = delay_s
        self.reply_fn = reply_fn
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> ProviderServer:
        """Bind 127.0.0.1 on a free port and serve in a background thread."""
        if self._server is not None:
            return self
        self.stopping.clear()
        self._server = _Server(self, ("127.0.0.1", 0))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="provider-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake delayed replies, close open connections and the socket."""
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ProviderServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port."""
        if self._server is None:
            raise RuntimeError("the provider server is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """The OpenAI SDK's ``base_url`` (``…/v1``)."""
        return f"{self.base_url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        """The Anthropic SDK's ``base_url`` (it appends ``/v1/messages`` itself)."""
        return self.base_url

    # -- scripting and the log -------------------------------------------------------------------------
    def enqueue(self, *replies: Reply) -> None:
        """Queue replies, consumed one per API request in order."""
        with self._lock:
            self._queue.extend(replies)

    def clear(self) -> None:
        """Forget logged requests and queued replies."""
        with self._lock:
            self.requests.clear()
            self._queue.clear()
            self.max_in_flight = self.in_flight

    def count(self, path: str | None = None) -> int:
        """Number of requests received (to ``path`` only, if given)."""
        with self._lock:
            return sum(1 for r in self.requests if path is None or r.path == path)

    def in_flight_change(self, delta: int) -> None:
        """Track API requests being answered (``in_flight``) and the most at once (``max_in_flight``)."""
        with self._lock:
            self.in_flight += delta
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    @property
    def pending(self) -> int:
        """Queued replies not yet used."""
        with self._lock:
            return len(self._queue)

    def take_reply(self, record: RecordedRequest) -> Reply:
        """Log ``record`` and pick its reply (queue, then ``reply_fn``, then ``default``)."""
        with self._lock:
            record.index = len(self.requests)
            self.requests.append(record)
            reply: Reply | None = self._queue.popleft() if (self._queue and record.api) else None
        if reply is None:
            produced = self.reply_fn(record) if (self.reply_fn and record.api) else self.default
            reply = Reply.ok(produced) if isinstance(produced, str) else produced
        record.reply_kind = reply.kind
        return reply


def main(argv: list[str] | None = None) -> None:
    """Serve until stdin closes (or the process is terminated)."""
    parser = argparse.ArgumentParser(description="Fake OpenAI/Anthropic server on 127.0.0.1.")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before every reply")
    parser.add_argument("--text", default="ok", help="reply text")
    args = parser.parse_args(argv)
    with ProviderServer(default=Reply.ok(args.text), delay_s=args.delay) as server:
        print(f"READY {server.base_url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()


if __name__ == "__main__":
    main()
