"""One plain line for a pydantic validation error, wherever settings are validated outside a YAML file.

pydantic's own message spans several lines and ends with a documentation URL
(``For further information visit https://errors.pydantic.dev/...``); a user of ``play --rounds 100000``
should read ``--rounds: must be at most 100 (got 100000)``. Experiment files have their own describer
with file and line (:mod:`harness.experiments.loading`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

# pydantic's wording -> ours (the bound is kept from the original message).
_REWRITES = (
    (re.compile(r"^Input should be less than or equal to (.+)$"), r"must be at most \1"),
    (re.compile(r"^Input should be greater than or equal to (.+)$"), r"must be at least \1"),
    (re.compile(r"^Input should be less than (.+)$"), r"must be less than \1"),
    (re.compile(r"^Input should be greater than (.+)$"), r"must be greater than \1"),
    (re.compile(r"^Input should be (.+)$"), r"must be \1"),
    (re.compile(r"^Extra inputs are not permitted$"), "unknown setting"),
    (re.compile(r"^Field required$"), "required"),
)
_MAX_INPUT = 60


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    for pattern, repl in _REWRITES:
        if pattern.match(msg):
            return pattern.sub(repl, msg)
    return msg


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_INPUT else text[: _MAX_INPUT - 1] + "…"


def validation_line(exc: ValidationError, names: Mapping[str, str] | None = None) -> str:
    """The first error of ``exc`` as ``field: what is wrong (got value)``, plus how many more there are.

    Args:
        exc: The pydantic error.
        names: How to call each field in the message (e.g. ``{"rounds": "--rounds"}`` for a CLI option);
            fields not named keep their dotted path.
    """
    errors = exc.errors(include_url=False)
    if not errors:  # pragma: no cover - pydantic never raises an empty error
        return "invalid settings"
    first = errors[0]
    path = ".".join(str(p) for p in first.get("loc", ()))
    field = (names or {}).get(path, path) or "(settings)"
    got = ""
    if "input" in first and first.get("type") != "missing" and not isinstance(first["input"], dict):
        got = f" (got {_shown(first['input'])})"
    more = ""
    if len(errors) > 1:
        more = f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    return f"{field}: {_message(first)}{got}{more}"
