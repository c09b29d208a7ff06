"""The registry of games and their rulesets: ``get_game("tower_defense", params, ruleset="v2")``.

A game is registered once per ruleset (``v1`` is the original engine, byte-identical forever; ``v2`` and
later are new rulesets of the same game, see ``../shared/spec/games.md``). Game classes are imported on
first use, so a tool that needs one game does not pay for the others. A call that names no ruleset gets
:data:`DEFAULT_RULESET`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from typing import Any, Final

from games.core.errors import EngineError, UnknownNameError
from games.core.game import Game
from games.core.registry import Registry

#: The ruleset a game gets when none is named (CLI, experiment files, Python). A game that does not have
#: it (a game added later with only ``v1``) gets its newest ruleset instead.
DEFAULT_RULESET: Final = "v2"

#: The ruleset of AdvGameBench's original engines (the paper's design and its CSV export pin it).
ORIGINAL_RULESET: Final = "v1"

# game name -> (ruleset -> "module:Class")
GAMES: Registry[Registry[str]] = Registry("game")


def register_game(name: str, ruleset: str, target: str) -> None:
    """Register ``target`` (``"package.module:Class"``, imported lazily) as ruleset ``ruleset`` of ``name``.

    Raises:
        ValueError: The (game, ruleset) pair is already registered (a programming error).
    """
    if name not in GAMES:
        GAMES.register(name, Registry(f"ruleset of {name}"))
    GAMES.get(name).register(ruleset, target)


register_game("tower_defense", "v1", "games.tower_defense:TowerDefense")
register_game("tower_defense", "v2", "games.tower_defense.v2:TowerDefenseV2")
register_game("battle_card", "v1", "games.battle_card:BattleCard")
register_game("battle_card", "v2", "games.battle_card.v2:BattleCardV2")
register_game("elemental_duel", "v1", "games.elemental_duel:ElementalDuel")
register_game("elemental_duel", "v2", "games.elemental_duel.v2:ElementalDuelV2")

_VERSION = re.compile(r"^v(\d+)$")


def _ruleset_order(ruleset: str) -> tuple[int, str]:
    m = _VERSION.match(ruleset)
    return (int(m.group(1)) if m else 1 << 30, ruleset)


def game_names() -> list[str]:
    """Names of all registered games, sorted."""
    return GAMES.names()


def rulesets(name: str) -> list[str]:
    """The rulesets of game ``name``, oldest first (``v1``, ``v2``, … ``v10``).

    Raises:
        UnknownNameError: Unknown game (the message lists the known games).
    """
    return sorted(GAMES.get(name).names(), key=_ruleset_order)


def game_rulesets() -> list[tuple[str, str]]:
    """Every registered ``(game, ruleset)`` pair, games sorted, rulesets oldest first."""
    return [(name, r) for name in game_names() for r in rulesets(name)]


def default_ruleset(name: str) -> str:
    """The ruleset game ``name`` gets when none is named: :data:`DEFAULT_RULESET`, else its newest.

    Raises:
        UnknownNameError: Unknown game (the message lists the known games).
    """
    known = rulesets(name)
    return DEFAULT_RULESET if DEFAULT_RULESET in known else known[-1]


def resolve_ruleset(name: str, ruleset: str | None = None) -> str:
    """``ruleset`` checked against game ``name``'s rulesets, or the game's default when ``None``.

    Raises:
        UnknownNameError: Unknown game (the message lists the known games), or unknown ruleset (the
            message names the game and lists its rulesets).
    """
    known = rulesets(name)
    if ruleset is None:
        return default_ruleset(name)
    if ruleset not in known:
        raise UnknownNameError(
            f"unknown ruleset {ruleset!r} of game {name}; known rulesets: {', '.join(known)}"
        )
    return ruleset


def game_class(name: str, ruleset: str | None = None) -> type[Game[Any]]:
    """The class registered as ruleset ``ruleset`` (default: :func:`default_ruleset`) of game ``name``.

    Raises:
        UnknownNameError: Unknown game or ruleset (the message lists the known ones).
        EngineError: The registered class declares another name or ruleset (a registration bug).
    """
    resolved = resolve_ruleset(name, ruleset)
    module, _, attr = GAMES.get(name).get(resolved).partition(":")
    cls: type[Game[Any]] = getattr(importlib.import_module(module), attr)
    if (cls.name, cls.ruleset) != (name, resolved):
        raise EngineError(
            f"{module}:{attr} is registered as {name} ruleset {resolved} but declares "
            f"{cls.name} ruleset {cls.ruleset}"
        )
    return cls


def get_game(name: str, params: Mapping[str, Any] | None = None, ruleset: str | None = None) -> Game[Any]:
    """Instantiate a registered game with optional parameter overrides.

    Args:
        name: Game name (``tower_defense``, ``battle_card``, ``elemental_duel``).
        params: Overrides of the ruleset's parameters (each ruleset has its own parameter set).
        ruleset: Ruleset name (``v1``, ``v2``…); ``None`` means :func:`default_ruleset`.

    Raises:
        UnknownNameError: Unknown game or ruleset (the message lists the known ones).
        ParameterError: Unknown or ill-typed parameter.
    """
    return game_class(name, ruleset)(params)
