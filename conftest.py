"""Shared fixtures: ``game_name`` / ``game`` run a test on every registered game."""

from __future__ import annotations

from typing import Any

import pytest

from games.core.game import Game
from games.registry import get_game

ALL_GAMES = ("tower_defense", "battle_card", "elemental_duel")


def load_game(name: str, params: dict[str, Any] | None = None) -> Game[Any]:
    return get_game(name, params)


@pytest.fixture(params=ALL_GAMES)
def game_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def game(game_name: str) -> Game[Any]:
    return load_game(game_name)
