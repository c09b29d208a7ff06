"""Shared helpers of the tower defense tests: plan builders in the spec's §6.1 notation."""

from __future__ import annotations

from typing import Any

from games.core.types import BattleResult
from games.tower_defense import TowerDefense
from games.tower_defense.engine import Battle, Outcome, run_battle

GAME = TowerDefense()


def H(name: str, x: int, y: int, t: float = 0) -> dict[str, Any]:
    """Human entry ``Name(x, y, t)``."""
    return {"name": name, "x": x, "y": y, "spawn_time": t}


def D(name: str, y: int, t: float = 0) -> dict[str, Any]:
    """Demon entry ``Name(y, t)``."""
    return {"name": name, "y": y, "spawn_time": t}


def play(
    humans: list[dict[str, Any]], demons: list[dict[str, Any]], game: TowerDefense = GAME
) -> BattleResult:
    """Validate both plans (they must be fully valid) and simulate them through the public API."""
    va = game.validate("A", {"humans": humans})
    vb = game.validate("B", {"demons": demons})
    assert va.ok and vb.ok, (va.violations, vb.violations)
    return game.simulate(va, vb)


def traced(
    humans: list[dict[str, Any]], demons: list[dict[str, Any]]
) -> tuple[Outcome, list[dict[str, Any]], dict[int, dict[int, tuple[int, float]]]]:
    """Run the engine with an event trace and a per-tick snapshot ``{tick: {demon uid: (x, hp)}}``."""
    trace: list[dict[str, Any]] = []
    frames: dict[int, dict[int, tuple[int, float]]] = {}

    def hook(tick: int, battle: Battle) -> None:
        frames[tick] = {d.uid: (d.x, d.hp) for d in battle.demons}

    out = run_battle(
        GAME.validate("A", {"humans": humans}).plan["humans"],
        GAME.validate("B", {"demons": demons}).plan["demons"],
        trace=trace,
        tick_hook=hook,
    )
    return out, trace, frames


def events(trace: list[dict[str, Any]], kind: str, **match: Any) -> list[dict[str, Any]]:
    """The trace events of one kind whose fields equal ``match``."""
    return [e for e in trace if e["event"] == kind and all(e.get(k) == v for k, v in match.items())]
