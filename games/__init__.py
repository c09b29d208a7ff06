"""Pure game rules: catalogues, validation, simulation, bots. Imports nothing else of Stratagem's."""

from games.bots import BOTS, Bot, make_bot
from games.core import BattleResult, Game, Side, SideKey, ValidatedPlan, Violation
from games.refs import GameRef, parse_game_ref
from games.registry import DEFAULT_RULESET, GAMES, game_class, game_names, get_game, rulesets

__all__ = [
    "BOTS",
    "DEFAULT_RULESET",
    "GAMES",
    "BattleResult",
    "Bot",
    "Game",
    "GameRef",
    "Side",
    "SideKey",
    "ValidatedPlan",
    "Violation",
    "game_class",
    "game_names",
    "get_game",
    "make_bot",
    "parse_game_ref",
    "rulesets",
]
