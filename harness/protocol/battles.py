"""Simulations remembered per game: ``simulate`` is a pure function of the two canonical plans.

Plans repeat a lot within a run — a side that keeps its plan, the side that does not revise this round
(``alternate``), the same initial plan shared by many matches — so the same battle is played again and
again. The tower-defense engine costs ~0.2 ms a battle, a share of the runner's CPU worth saving. The memo
is per game object (games are immutable once built, and their parameters change the battle) and bounded.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any

from games.core.game import Game
from games.core.types import BattleResult, ValidatedPlan
from harness.protocol.records import summary_json

MAX_BATTLES_PER_GAME = 4096

_memo: weakref.WeakKeyDictionary[Game[Any], OrderedDict[tuple[str, str], tuple[BattleResult, str]]] = (
    weakref.WeakKeyDictionary()
)


def simulate(
    game: Game[Any], plan_a: ValidatedPlan, plan_b: ValidatedPlan, json_a: str, json_b: str
) -> tuple[BattleResult, str]:
    """``game.simulate(plan_a, plan_b)`` and the canonical JSON of its summary, remembered.

    Args:
        game: The game.
        plan_a: Side A's plan.
        plan_b: Side B's plan.
        json_a: ``plan_a.canonical_json()`` (the caller has it already; it is the memo key).
        json_b: Likewise for ``plan_b``.
    """
    battles = _memo.setdefault(game, OrderedDict())
    key = (json_a, json_b)
    hit = battles.get(key)
    if hit is not None:
        battles.move_to_end(key)
        return hit
    result = game.simulate(plan_a, plan_b)
    battles[key] = entry = (result, summary_json(result.summary))
    if len(battles) > MAX_BATTLES_PER_GAME:
        battles.popitem(last=False)
    return entry
