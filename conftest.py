"""Shared pytest fixtures: ``game_name`` / ``game`` run a test once per registered game.

It lives at the repository root, not in ``tests/``: a ``tests/conftest.py`` would put ``tests/`` on
``sys.path``, where the ``tests/games`` folder would shadow the real ``games`` package.
"""

from __future__ import annotations

from typing import Any

import pytest

from games.core.game import Game
from games.registry import game_names, get_game


@pytest.fixture(params=game_names())
def game_name(request: pytest.FixtureRequest) -> str:
    """The name of each registered game in turn."""
    return str(request.param)


@pytest.fixture
def game(game_name: str) -> Game[Any]:
    """A default-parameter instance of each registered game in turn."""
    return get_game(game_name)
