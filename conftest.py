"""Shared pytest fixtures: one run of a test per registered game and ruleset.

``game_ref`` / ``game_name`` / ``ruleset`` / ``game`` take every ``(game, ruleset)`` pair in turn
(``battle_card@v1``, ``battle_card@v2``, …), so conformance-style tests cover every ruleset.

A test that is about one ruleset's exact behaviour (reference scenarios, golden values) builds that
ruleset's game itself (``get_game(name, ruleset="v1")`` or the v1 class) instead of using these fixtures.

It lives at the repository root, not in ``tests/``: a ``tests/conftest.py`` would put ``tests/`` on
``sys.path``, where the ``tests/games`` folder would shadow the real ``games`` package.
"""

from __future__ import annotations

from typing import Any

import pytest

from games.core.game import Game
from games.registry import game_rulesets, get_game


@pytest.fixture(params=game_rulesets(), ids=[f"{n}@{r}" for n, r in game_rulesets()])
def game_ref(request: pytest.FixtureRequest) -> tuple[str, str]:
    """Each registered ``(game, ruleset)`` pair in turn."""
    name, ruleset = request.param
    return str(name), str(ruleset)


@pytest.fixture
def game_name(game_ref: tuple[str, str]) -> str:
    """The game name of :func:`game_ref`."""
    return game_ref[0]


@pytest.fixture
def ruleset(game_ref: tuple[str, str]) -> str:
    """The ruleset of :func:`game_ref`."""
    return game_ref[1]


@pytest.fixture
def game(game_ref: tuple[str, str]) -> Game[Any]:
    """A default-parameter instance of each registered game and ruleset in turn."""
    return get_game(game_ref[0], ruleset=game_ref[1])
