"""Naming a game on the command line: ``GAME[@ruleset=R][,param=value,...]``.

``battle_card@ruleset=v1`` is ruleset v1 of battle card; ``tower_defense@ruleset=v2,human_budget=2500``
also overrides a parameter. The syntax is the ``name@key=value`` variant syntax of bots and models
(:mod:`games.core.naming`); ``ruleset`` is the one reserved key, every other key is a game parameter. A
name without a ruleset gets the game's default ruleset (:func:`games.registry.default_ruleset`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from games.core.errors import UnknownNameError
from games.core.game import Game
from games.core.naming import format_variant, parse_variant
from games.registry import game_names, get_game, resolve_ruleset

#: The reserved variant key that names the ruleset.
RULESET_KEY: Final = "ruleset"


@dataclass(frozen=True)
class GameRef:
    """A game, one of its rulesets (always resolved) and parameter overrides.

    Attributes:
        name: Game name.
        ruleset: Ruleset name (never ``None``: the default is filled in when parsing).
        params: Parameter overrides (empty: the ruleset's defaults).
    """

    name: str
    ruleset: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def make(self) -> Game[Any]:
        """A new instance of the game.

        Raises:
            ParameterError: Unknown or ill-typed parameter.
        """
        return get_game(self.name, self.params, self.ruleset)

    def __str__(self) -> str:
        """The canonical text: the ruleset always given, first (``battle_card@ruleset=v2,max_units=5``)."""
        text = f"{self.name}@{RULESET_KEY}={self.ruleset}"
        return text + "," + format_variant("", self.params)[1:] if self.params else text


def check_game(name: str) -> str:
    """``name`` if it is a registered game.

    Raises:
        UnknownNameError: Unknown game (the message lists the known ones).
    """
    known = game_names()
    if name not in known:
        raise UnknownNameError(f"unknown game {name!r}; known: {', '.join(known)}")
    return name


def game_ref(name: str, ruleset: str | None = None, params: dict[str, Any] | None = None) -> GameRef:
    """A checked :class:`GameRef` (the parameters are checked by instantiating the game once).

    Raises:
        UnknownNameError: Unknown game, or unknown ruleset of the game (the message lists the known ones).
        ParameterError: Unknown or ill-typed parameter.
    """
    ref = GameRef(check_game(name), resolve_ruleset(name, ruleset), dict(params or {}))
    ref.make()
    return ref


def parse_game_ref(text: str) -> GameRef:
    """Parse ``GAME[@ruleset=R][,param=value,...]`` into a checked :class:`GameRef`.

    Args:
        text: E.g. ``battle_card``, ``battle_card@ruleset=v1`` or ``battle_card@ruleset=v2,max_units=5``.

    Raises:
        UnknownNameError: Unknown game, or unknown ruleset (the message names the game and lists its
            rulesets).
        ParameterError: Malformed ``key=value`` part, a repeated key, or an unknown or ill-typed
            parameter.
    """
    variant = parse_variant(text.strip())
    params = dict(variant.params)
    raw = params.pop(RULESET_KEY, None)
    return game_ref(variant.base, None if raw is None else str(raw), params)
