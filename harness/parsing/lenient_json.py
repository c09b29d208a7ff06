r"""Tolerant loading of one JSON value from a piece of text.

Tolerances, tried in this order until one yields a value (each is recorded by name):

* ``json`` — strict JSON;
* ``quotes_stripped`` — the whole text wrapped in one pair of ``"`` or ``'`` (spec §1.2 step 2), possibly
  with literal ``\\n`` escapes for newlines (step 3);
* ``trailing_commas`` — commas before a closing ``}`` or ``]`` (outside strings) are dropped;
* ``single_quotes`` — single-quoted JSON: when the text has single quotes and no double quote, every
  single quote becomes a double quote (spec §1.2 step 4);
* ``python_literal`` — a Python literal (``{'a': True, 'b': None}``) read with :func:`ast.literal_eval`,
  kept only when the result is plain JSON data.

Nothing here raises: a failure returns ``None`` with the strict parser's error message.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass
from typing import Any

#: Texts longer than this are not tried with the Python-literal fallback (it is the slowest path).
_LITERAL_EVAL_MAX = 20_000
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


@dataclass(frozen=True)
class Loaded:
    """A JSON value read from text, with the tolerances that were needed."""

    value: Any
    tolerances: tuple[str, ...]


def _strict(text: str) -> tuple[bool, Any, str]:
    try:
        return True, json.loads(text, parse_constant=_reject_constant), ""
    except (ValueError, RecursionError) as exc:
        return False, None, str(exc) if not isinstance(exc, RecursionError) else "nesting too deep"


def _reject_constant(name: str) -> Any:
    # NaN / Infinity are not JSON; canonical_json would refuse them later.
    raise ValueError(f"{name} is not valid JSON")


def drop_trailing_commas(text: str) -> str:
    """Remove commas that directly precede ``}`` or ``]``, leaving string contents untouched."""
    out: list[str] = []
    quote: str | None = None
    escaped = False
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if quote is not None:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
            i += 1
            continue
        if ch in "\"'":
            quote = ch
        elif ch == ",":
            j = i + 1
            while j < n and text[j].isspace():
                j += 1
            if j < n and text[j] in "}]":
                i += 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _is_json_data(value: Any, depth: int = 0) -> bool:
    if depth > 200:
        return False
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_json_data(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json_data(v, depth + 1) for k, v in value.items())
    return False


def _literal(text: str) -> tuple[bool, Any]:
    if len(text) > _LITERAL_EVAL_MAX:
        return False, None
    try:
        value = ast.literal_eval(text)
    except Exception:  # literal_eval raises many kinds (SyntaxError, ValueError, MemoryError, ...)
        return False, None
    # Tuples and sets are Python-only shapes; a plan is JSON data.
    return (True, value) if _is_json_data(value) else (False, None)


def load_lenient(text: str) -> tuple[Loaded | None, str]:
    """Read one JSON value from ``text`` with the documented tolerances.

    Returns:
        ``(Loaded, "")`` on success, else ``(None, error)`` where ``error`` is the strict parser's message.
    """
    text = text.strip()
    if not text:
        return None, "empty reply"
    ok, value, first_error = _strict(text)
    if ok:
        return Loaded(value, ("json",)), ""
    used: list[str] = []
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip().replace("\\n", "\n")
        used.append("quotes_stripped")
        ok, value, _ = _strict(text)
        if ok:
            return Loaded(value, tuple(used)), ""
    no_commas = drop_trailing_commas(text)
    if no_commas != text:
        text = no_commas
        used.append("trailing_commas")
        ok, value, _ = _strict(text)
        if ok:
            return Loaded(value, tuple(used)), ""
    if "'" in text and '"' not in text:
        ok, value, _ = _strict(text.replace("'", '"'))
        if ok:
            return Loaded(value, (*used, "single_quotes")), ""
    ok, value = _literal(text)
    if ok:
        return Loaded(value, (*used, "python_literal")), ""
    return None, first_error
