"""Scrub API keys out of any text the model layer writes (error messages, events, logs).

Providers sometimes echo a key (or part of one) in an error body, and SDK exception messages include the
body. Everything the model layer turns into a message goes through :func:`redact` first.
"""

from __future__ import annotations

import os
import re

REDACTED = "[REDACTED]"

# Environment variables whose values are secrets: anything named like a key, token or secret.
_SECRET_ENV = re.compile(r"(API_?KEY|_KEY$|TOKEN|SECRET|PASSWORD)", re.IGNORECASE)
# Key-shaped strings even when they are not in the environment (e.g. passed to a proxy).
_KEY_PATTERNS = re.compile(
    r"(sk-[A-Za-z0-9_\-]{8,}|sk_[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,}|(?<=Bearer )[^\s\"',]+)"
)
_MIN_SECRET_LEN = 8  # shorter values ("1", "true") are flags, not keys, and would shred messages


def _secret_values() -> list[str]:
    values = [
        value
        for name, value in os.environ.items()
        if _SECRET_ENV.search(name) and len(value) >= _MIN_SECRET_LEN
    ]
    return sorted(set(values), key=len, reverse=True)


def redact(text: str) -> str:
    """Return ``text`` with every secret env value and key-shaped string replaced by ``[REDACTED]``."""
    for value in _secret_values():
        if value in text:
            text = text.replace(value, REDACTED)
    return _KEY_PATTERNS.sub(REDACTED, text)
