"""Turning a model's reply into a plan object for one side: :func:`parse_plan`.

The parser never raises and never judges the plan's content (that is the game validator's job). It only
finds the JSON value the model meant and shapes it as ``{plan_key: ...}``. Documented tolerances, each
recorded in :attr:`ParsedReply.tolerances` when used:

* where the JSON is: the first ```` ```json ```` fenced block, else any fenced block, else the whole reply,
  else a balanced ``{...}``/``[...]`` region amid prose (``fenced`` / ``prose``);
* how it is written: see :mod:`harness.parsing.lenient_json` (surrounding quotes, trailing commas,
  single-quoted JSON, Python literals);
* how it is shaped: a bare list is taken as the plan list (``bare_list``); an object without the plan key
  that wraps one under any key, up to two levels deep (``{"plan": {"humans": [...]}}``), is unwrapped
  (``wrapper``); a JSON string that itself holds JSON is read (``json_in_string``).

Among several candidates, the first one that yields an object with the plan key (directly, wrapped or in a
string) wins; failing that, the first bare list; failing that, the first candidate that is valid JSON is
returned as a ``schema_violation`` (JSON, but not this side's plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from games.core.types import json_type_name
from harness.parsing.extract import candidates
from harness.parsing.lenient_json import load_lenient

ParseStatus = Literal["ok", "unparseable", "schema_violation"]
_WRAPPER_DEPTH = 2


@dataclass(frozen=True)
class ParsedReply:
    """What the parser made of one reply.

    Attributes:
        status: ``ok`` (a plan object with the plan key), ``schema_violation`` (JSON was read but it is not
            an object holding the plan key) or ``unparseable`` (no JSON value found).
        value: ``{plan_key: ...}`` when ``ok``; the JSON value read when ``schema_violation``; else None.
        error: Why the reply is not a plan (None when ``ok``).
        tolerances: The documented tolerances that were needed, in the order applied.
    """

    status: ParseStatus
    value: Any
    error: str | None
    tolerances: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when a plan object was found."""
        return self.status == "ok"


def _find_wrapped(value: Any, plan_key: str, depth: int) -> dict[str, Any] | None:
    """The first object (in key order, depth-first) nested in ``value`` that has ``plan_key``."""
    if depth <= 0 or not isinstance(value, dict):
        return None
    for inner in value.values():
        if isinstance(inner, dict):
            if plan_key in inner:
                return inner
            found = _find_wrapped(inner, plan_key, depth - 1)
            if found is not None:
                return found
    return None


def _shape(value: Any, plan_key: str, depth: int = 0) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """Shape a JSON value as the side's plan object, or None when it is not one."""
    if isinstance(value, dict):
        if plan_key in value:
            return value, ()
        wrapped = _find_wrapped(value, plan_key, _WRAPPER_DEPTH)
        return (wrapped, ("wrapper",)) if wrapped is not None else (None, ())
    if isinstance(value, list):
        return {plan_key: value}, ("bare_list",)
    if isinstance(value, str) and depth == 0:
        loaded, _ = load_lenient(value)
        if loaded is not None and isinstance(loaded.value, (dict, list)):
            shaped, used = _shape(loaded.value, plan_key, depth + 1)
            if shaped is not None:
                return shaped, ("json_in_string", *loaded.tolerances[1:], *used)
    return None, ()


def parse_plan(text: str, plan_key: str) -> ParsedReply:
    """Find ``plan_key``'s plan in a model reply. Never raises.

    Args:
        text: The raw reply.
        plan_key: The key the side's plan must be submitted under (``humans``, ``invaders`` …).
    """
    if not isinstance(text, str) or not text.strip():
        return ParsedReply("unparseable", None, "empty reply")
    first_json: tuple[Any, tuple[str, ...]] | None = None
    first_list: ParsedReply | None = None
    first_error: str | None = None
    for origin, chunk in candidates(text):
        loaded, error = load_lenient(chunk)
        if loaded is None:
            if first_error is None and origin != "prose":
                first_error = error
            continue
        where = () if origin == "whole" else (origin,)
        used = (*where, *(t for t in loaded.tolerances if t != "json"))
        shaped, shaping = _shape(loaded.value, plan_key)
        if shaped is not None:
            reply = ParsedReply("ok", shaped, None, (*used, *shaping))
            if "bare_list" not in shaping:
                return reply
            # A bracketed aside in prose ("[1, 2]") must not beat a real plan object further on.
            first_list = first_list or reply
        if first_json is None:
            first_json = (loaded.value, used)
    if first_list is not None:
        return first_list
    if first_json is not None:
        value, used = first_json
        return ParsedReply("schema_violation", value, _schema_error(value, plan_key), used)
    return ParsedReply("unparseable", None, f"no JSON object found ({first_error or 'no JSON in the reply'})")


def _schema_error(value: Any, plan_key: str) -> str:
    if isinstance(value, dict):
        keys = ", ".join(repr(k) for k in list(value)[:5]) or "none"
        return f"the JSON object has no {plan_key!r} key (keys: {keys})"
    return f"expected a JSON object with the key {plan_key!r}, got {json_type_name(value)}"
