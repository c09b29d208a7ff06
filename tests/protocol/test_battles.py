"""The per-game simulation memo: the engine's own result, per game parameters, bounded."""

from __future__ import annotations

import random

from games.registry import get_game
from harness.protocol import battles
from harness.protocol.records import summary_json


def random_plans(game, n, seed=0):
    rng = random.Random(seed)
    return [
        (game.validate("A", game.random_plan("A", rng)), game.validate("B", game.random_plan("B", rng)))
        for _ in range(n)
    ]


def test_memo_returns_what_the_engine_returns(game):
    for a, b in random_plans(game, 30) * 2:  # every battle twice: the second time from the memo
        result, summary = battles.simulate(game, a, b, a.canonical_json(), b.canonical_json())
        direct = game.simulate(a, b)
        assert result.winner == direct.winner and summary == summary_json(direct.summary)


def test_memo_is_per_game_object_and_bounded(monkeypatch):
    small, large = get_game("battle_card", {"max_units": 3}), get_game("battle_card")
    (a, b), *_ = random_plans(large, 1)
    battles.simulate(large, a, b, a.canonical_json(), b.canonical_json())
    assert (a.canonical_json(), b.canonical_json()) not in battles._memo.get(small, {})
    monkeypatch.setattr(battles, "MAX_BATTLES_PER_GAME", 5)
    for x, y in random_plans(large, 20, seed=1):
        battles.simulate(large, x, y, x.canonical_json(), y.canonical_json())
    assert len(battles._memo[large]) == 5
