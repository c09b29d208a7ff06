"""Scrub credentials out of every text Stratagem stores, caches, exports, reports or prints.

Two levels:

* :func:`redact_secrets` replaces the *values* of the credential variables in the environment (the
  providers' ``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY``, ``STRATAGEM_LOCAL_API_KEY``, litellm's per-provider
  variables, and anything named like a key, token, secret or password). It is applied to model replies
  and request ids (a proxy or a test server may echo the ``Authorization`` / ``x-api-key`` header into
  the reply), to the cassette's rows and to printed prompts and transcripts. It changes nothing else, so
  a reply that holds no secret is kept byte for byte.
* :func:`redact` does that and also removes key-shaped strings (``sk-…``, ``AIza…``, ``Bearer …``) that are
  not in the environment; it is for error messages, which quote request details.

The scan of the environment is cached and refreshed when a credential variable changes or a variable is
added or removed, so a call costs a few microseconds.
"""

from __future__ import annotations

import os
import re
import threading

REDACTED = "[REDACTED]"

#: Credential variables read by the model layer's providers and by litellm (always treated as secrets).
KNOWN_CREDENTIAL_ENV: tuple[str, ...] = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "STRATAGEM_LOCAL_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "DEEPSEEK_API_KEY",
    "MISTRAL_API_KEY",
    "GROQ_API_KEY",
    "XAI_API_KEY",
    "OPENROUTER_API_KEY",
    "COHERE_API_KEY",
    "TOGETHERAI_API_KEY",
    "FIREWORKS_AI_API_KEY",
    "PERPLEXITYAI_API_KEY",
    "HUGGINGFACE_API_KEY",
    "HF_TOKEN",
    "AZURE_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)
# Any other variable named like a credential is a secret too.
_SECRET_ENV = re.compile(
    r"(API_?KEY|_KEY$|_KEY_ID$|ACCESS_KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE
)
# Key-shaped strings even when they are not in the environment (e.g. passed to a proxy).
_KEY_PATTERNS = re.compile(
    r"(sk-[A-Za-z0-9_\-]{8,}|sk_[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,}|(?<=Bearer )[^\s\"',]+)"
)
_MIN_SECRET_LEN = 8  # shorter values ("1", "true") are flags, not keys, and would shred messages


def is_credential_name(name: str) -> bool:
    """Whether the environment variable ``name`` holds a credential."""
    return name in KNOWN_CREDENTIAL_ENV or bool(_SECRET_ENV.search(name))


class _SecretScan:
    """The credential values of the environment, rescanned only when the environment changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._size = -1
        self._names: tuple[str, ...] = ()
        self._snapshot: tuple[str | None, ...] = ()
        self._values: tuple[str, ...] = ()

    def values(self) -> tuple[str, ...]:
        size = len(os.environ)
        snapshot = tuple(os.environ.get(n) for n in self._names)
        with self._lock:
            if size == self._size and snapshot == self._snapshot:
                return self._values
            names = tuple(sorted(n for n in os.environ if is_credential_name(n)))
            found = {os.environ.get(n) or "" for n in names}
            self._size = size
            self._names = names
            self._snapshot = tuple(os.environ.get(n) for n in names)
            # Longest first, so a value that contains another is replaced whole.
            self._values = tuple(
                sorted((v for v in found if len(v) >= _MIN_SECRET_LEN), key=len, reverse=True)
            )
            return self._values


_scan = _SecretScan()


def secret_values() -> tuple[str, ...]:
    """The values of the credential variables now in the environment (long enough to be keys)."""
    return _scan.values()


def redact_secrets(text: str) -> str:
    """Return ``text`` with the value of every credential variable replaced by ``[REDACTED]``.

    Text holding no credential value is returned unchanged (the same object).
    """
    for value in secret_values():
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def redact(text: str) -> str:
    """Return ``text`` with every secret env value and key-shaped string replaced by ``[REDACTED]``."""
    return _KEY_PATTERNS.sub(REDACTED, redact_secrets(text))
