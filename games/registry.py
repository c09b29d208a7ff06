"""The registry of games: ``get_game("tower_defense", params)``.

Game classes are imported on first use, so a tool that needs one game does not pay for the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from games.core.game import Game
from games.core.registry import Registry

# name -> "module:Class"
GAMES: Registry[str] = Registry("game")
GAMES.register("tower_defense", "games.tower_defense:TowerDefense")
GAMES.register("battle_card", "games.battle_card:BattleCard")
GAMES.register("elemental_duel", "games.elemental_duel:ElementalDuel")


def game_class(name: str) -> type[Game[Any]]:
    """The class registered as ``name``.

    Raises:
        UnknownNameError: Unknown game (the message lists the known games).
    """
    module, _, attr = GAMES.get(name).partition(":")
    cls: type[Game[Any]] = getattr(importlib.import_module(module), attr)
    return cls


def get_game(name: str, params: Mapping[str, Any] | None = None) -> Game[Any]:
    """Instantiate a registered game with optional parameter overrides.

    Raises:
        UnknownNameError: Unknown game (the message lists the known games).
        ParameterError: Unknown or ill-typed parameter.
    """
    return game_class(name)(params)


def game_names() -> list[str]:
    """Names of all registered games."""
    return GAMES.names()
