"""Shared helpers of the battle card tests: compact line-up notation (``Name`` Bronze, ``Name*G`` Gold)."""

from __future__ import annotations

from typing import Any

from games.battle_card import BattleCard
from games.core.types import BattleResult

GAME = BattleCard()


def entries(*names: str) -> list[dict[str, str]]:
    return [
        {"name": n[:-2], "tier": "Gold"} if n.endswith("*G") else {"name": n, "tier": "Bronze"} for n in names
    ]


def play(
    defenders: list[str],
    invaders: list[str],
    game: BattleCard = GAME,
    log: list[dict[str, Any]] | None = None,
) -> BattleResult:
    a = game.validate("A", {"defenders": entries(*defenders)})
    b = game.validate("B", {"invaders": entries(*invaders)})
    assert a.ok and b.ok, (a.violations, b.violations)
    return game.battle(a, b, log)


def survivors(result: BattleResult, side: str) -> list[tuple[str, int, int]]:
    """Survivors as (name with ``(G)`` for Gold, attack, health)."""
    return [
        (s["name"] + ("(G)" if s["tier"] == "Gold" else ""), s["attack"], s["health"])
        for s in result.summary["survivors"][side]
    ]


def line(record: dict[str, Any], side: str) -> list[tuple[str, int, int, bool, int]]:
    """A logged line as (name, attack, health, shield, burn)."""
    return [(m["name"], m["attack"], m["health"], m["shield"], m["burn"]) for m in record[side]]


def numbers(obj: Any, out: set[float]) -> set[float]:
    """Every number in a JSON-like value (booleans are not numbers), added to ``out``."""
    if isinstance(obj, bool):
        return out
    if isinstance(obj, (int, float)):
        out.add(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            numbers(v, out)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            numbers(v, out)
    return out
