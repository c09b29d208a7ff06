"""What the fake provider server sends and logs: replies, the two APIs' wire formats, logged requests.

:class:`Reply` is one scripted behaviour; :class:`RecordedRequest` is one request as the server logged it.

Bodies follow the public OpenAI Chat Completions and Anthropic Messages formats closely enough for the
official SDKs (and litellm) to parse them, in JSON and in server-sent events (``"stream": true``).
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

Api = Literal["openai", "anthropic"]
ReplyKind = Literal[
    "ok",
    "length",
    "refusal",
    "rate_limited",
    "error",
    "unauthorized",
    "reset",
    "malformed",
    "empty",
    "no_choices",
    "echo_headers",
]


def count_tokens(text: str) -> int:
    """The fake server's token rule (same as the scripted models'): ceil(len(text) / 4)."""
    return -(-len(text) // 4)


@dataclass(frozen=True)
class Reply:
    """One scripted behaviour of the server for one request. Build it with the class methods.

    Attributes:
        kind: What to do.
        text: Reply text (``ok`` / ``length`` / ``refusal``).
        status: HTTP status of ``error``.
        message: Error message of ``error``.
        retry_after: ``Retry-After`` seconds sent with ``rate_limited`` (``None`` sends none).
        delay_s: Seconds to wait before answering (a ``slow`` reply is any reply with a delay).
        input_tokens: Reported input tokens (default: the token rule over the request's messages).
        output_tokens: Reported output tokens (default: the token rule over ``text``).
        cached_tokens: Reported cached input tokens.
        echo_key: ``unauthorized`` echoes the received API key in its error body (to test redaction).
        headers: Extra response headers.
    """

    kind: ReplyKind = "ok"
    text: str = ""
    status: int = 200
    message: str = ""
    retry_after: float | None = None
    delay_s: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int = 0
    echo_key: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def ok(cls, text: str = "ok", **usage: Any) -> Reply:
        """A normal reply; ``usage`` may set ``input_tokens``, ``output_tokens``, ``cached_tokens``."""
        return cls("ok", text=text, **usage)

    @classmethod
    def length(cls, text: str = "truncat", **usage: Any) -> Reply:
        """A reply cut by the token limit (``finish_reason: length`` / ``stop_reason: max_tokens``)."""
        return cls("length", text=text, **usage)

    @classmethod
    def refusal(cls, text: str = "I can't help with that.") -> Reply:
        """A content-filter refusal (``finish_reason: content_filter`` / ``stop_reason: refusal``)."""
        return cls("refusal", text=text)

    @classmethod
    def rate_limited(cls, retry_after: float | None = 1.0) -> Reply:
        """HTTP 429, with a ``Retry-After`` header unless ``retry_after`` is ``None``."""
        return cls("rate_limited", status=429, retry_after=retry_after, message="Rate limit reached")

    @classmethod
    def error(cls, status: int, message: str = "") -> Reply:
        """An HTTP error in the API's error format (500, 529 overloaded, 400, 404…)."""
        return cls("error", status=status, message=message or f"fake error {status}")

    @classmethod
    def unauthorized(cls, echo_key: bool = True) -> Reply:
        """HTTP 401; by default the body quotes the key it received, as careless proxies do."""
        return cls("unauthorized", status=401, echo_key=echo_key, message="Incorrect API key provided")

    @classmethod
    def reset(cls) -> Reply:
        """Drop the connection without a response (TCP reset)."""
        return cls("reset")

    @classmethod
    def malformed(cls) -> Reply:
        """HTTP 200 whose JSON body is cut in the middle."""
        return cls("malformed", status=200)

    @classmethod
    def empty(cls) -> Reply:
        """HTTP 200 with an empty completion (content ``""`` / no content blocks), finish ``stop``."""
        return cls("empty")

    @classmethod
    def no_choices(cls) -> Reply:
        """HTTP 200 without choices (``"choices": []`` / ``"content": []``), as broken proxies send."""
        return cls("no_choices")

    @classmethod
    def echo_headers(cls) -> Reply:
        """A normal reply whose text is the request's headers, credentials included, as a leaky proxy does.

        The text is ``name: value`` lines of every received header (``authorization`` / ``x-api-key`` with
        the key as sent), so a test can check the key is scrubbed from everything written downstream.
        """
        return cls("echo_headers")

    @classmethod
    def slow(cls, delay_s: float, then: Reply | None = None) -> Reply:
        """``then`` (default a normal reply) after ``delay_s`` seconds, e.g. past the client's timeout."""
        return dataclasses.replace(then or cls.ok(), delay_s=delay_s)


@dataclass
class RecordedRequest:
    """One request as the server saw it (secrets removed)."""

    method: str
    path: str
    api: Api | None
    body: Any
    headers: dict[str, str]
    api_key_sha256: str | None
    stream: bool = False
    index: int = 0
    reply_kind: str = ""

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The request's chat messages (Anthropic's ``system`` field first, as a system message)."""
        body = self.body if isinstance(self.body, dict) else {}
        messages = list(body.get("messages") or [])
        system = body.get("system")
        if system:
            messages.insert(0, {"role": "system", "content": _text_of(system)})
        return [{"role": m.get("role"), "content": _text_of(m.get("content"))} for m in messages]

    @property
    def system(self) -> str:
        """All system text of the request."""
        return "\n\n".join(m["content"] for m in self.messages if m["role"] == "system")

    @property
    def last_user_text(self) -> str:
        """The text of the last user message ("" if none)."""
        users = [m["content"] for m in self.messages if m["role"] == "user"]
        return users[-1] if users else ""

    @property
    def model(self) -> str:
        """The requested model id."""
        return str(self.body.get("model", "")) if isinstance(self.body, dict) else ""


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return "" if content is None else str(content)


_ANTHROPIC_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    529: "overloaded_error",
}


def error_body(api: Api, status: int, message: str) -> dict[str, Any]:
    """The error JSON of ``api`` for ``status``."""
    if api == "anthropic":
        kind = _ANTHROPIC_ERROR_TYPES.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}}
    code = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status)
    kind = "invalid_request_error" if 400 <= status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _usage(reply: Reply, prompt_text: str) -> tuple[int, int, int]:
    inp = reply.input_tokens if reply.input_tokens is not None else count_tokens(prompt_text)
    out = reply.output_tokens if reply.output_tokens is not None else count_tokens(reply.text)
    return inp, out, reply.cached_tokens


def openai_body(reply: Reply, model: str, prompt_text: str, request_id: str) -> dict[str, Any]:
    """A ``chat.completion`` object for a reply that is not an HTTP error, reset or malformed body."""
    inp, out, cached = _usage(reply, prompt_text)
    finish = {"length": "length", "refusal": "content_filter"}.get(reply.kind, "stop")
    refused = reply.kind == "refusal"
    body = {
        "id": f"chatcmpl-{request_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None if refused else reply.text,
                    "refusal": reply.text if refused else None,
                },
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": inp,
            "completion_tokens": out,
            "total_tokens": inp + out,
            "prompt_tokens_details": {"cached_tokens": cached},
        },
    }
    if reply.kind == "no_choices":
        body["choices"] = []
    return body


def anthropic_body(reply: Reply, model: str, prompt_text: str, request_id: str) -> dict[str, Any]:
    """A Messages ``message`` object for a reply that is not an HTTP error, reset or malformed body."""
    inp, out, cached = _usage(reply, prompt_text)
    stop = {"length": "max_tokens", "refusal": "refusal"}.get(reply.kind, "end_turn")
    content = [] if reply.kind in ("refusal", "no_choices") else [{"type": "text", "text": reply.text}]
    return {
        "id": f"msg_{request_id}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        # Anthropic counts uncached input apart from cache reads.
        "usage": {
            "input_tokens": inp - cached,
            "output_tokens": out,
            "cache_read_input_tokens": cached,
            "cache_creation_input_tokens": 0,
        },
    }


def _sse(events: list[tuple[str | None, Any]]) -> bytes:
    lines = []
    for name, data in events:
        if name:
            lines.append(f"event: {name}")
        lines.append(f"data: {data if isinstance(data, str) else json.dumps(data)}")
        lines.append("")
    return ("\n".join(lines) + "\n").encode("utf-8")


def openai_stream(body: dict[str, Any], include_usage: bool) -> bytes:
    """``body`` (a ``chat.completion``) as a Chat Completions event stream."""
    choice = body["choices"][0]
    base = {
        "id": body["id"],
        "object": "chat.completion.chunk",
        "created": body["created"],
        "model": body["model"],
    }

    def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}

    message = choice["message"]
    events: list[tuple[str | None, Any]] = [(None, chunk({"role": "assistant", "content": ""}, None))]
    if message["content"]:
        events.append((None, chunk({"content": message["content"]}, None)))
    if message["refusal"]:
        events.append((None, chunk({"refusal": message["refusal"]}, None)))
    events.append((None, chunk({}, choice["finish_reason"])))
    if include_usage:
        events.append((None, {**base, "choices": [], "usage": body["usage"]}))
    events.append((None, "[DONE]"))
    return _sse(events)


def anthropic_stream(body: dict[str, Any]) -> bytes:
    """``body`` (a Messages ``message``) as a Messages event stream."""
    usage = body["usage"]
    start = {**body, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
    events: list[tuple[str | None, Any]] = [("message_start", {"type": "message_start", "message": start})]
    for index, block in enumerate(body["content"]):
        events += [
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "text_delta", "text": block["text"]},
                },
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": index}),
        ]
    events += [
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": body["stop_reason"], "stop_sequence": None},
                "usage": {"output_tokens": usage["output_tokens"]},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return _sse(events)
