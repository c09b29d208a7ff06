"""The ``name@key=value,key=value`` variant syntax used by bots, models and presets everywhere.

``bot/search@sims=64`` names the ``search`` bot with parameter ``sims=64``. Values are parsed as JSON
scalars when possible (``64`` → int, ``0.5`` → float, ``true`` → bool) and kept as strings otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from games.core.errors import ParameterError


@dataclass(frozen=True)
class VariantName:
    """A parsed ``base@k=v,...`` name."""

    base: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return format_variant(self.base, self.params)


def _parse_value(raw: str) -> Any:
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(value, (int, float, bool, str)) or value is None:
        return value
    return raw


def parse_variant(name: str) -> VariantName:
    """Split ``base@k=v,k2=v2`` into its base and a parameter dict.

    Args:
        name: The full name, e.g. ``search@sims=64``.

    Returns:
        The parsed name.

    Raises:
        ParameterError: If a parameter is not of the form ``key=value`` or a key repeats.
    """
    base, sep, rest = name.partition("@")
    params: dict[str, Any] = {}
    if sep and rest.strip():
        for part in rest.split(","):
            key, eq, raw = part.partition("=")
            key = key.strip()
            if not eq or not key:
                raise ParameterError(f"bad parameter {part!r} in {name!r}: expected key=value")
            if key in params:
                raise ParameterError(f"parameter {key!r} given twice in {name!r}")
            params[key] = _parse_value(raw.strip())
    return VariantName(base.strip(), params)


def format_variant(base: str, params: dict[str, Any]) -> str:
    """Inverse of :func:`parse_variant`, with keys sorted so equal variants print equally."""
    if not params:
        return base
    inner = ",".join(
        f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in sorted(params.items())
    )
    return f"{base}@{inner}"
