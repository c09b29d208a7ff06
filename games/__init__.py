"""Pure game rules: catalogues, validation, simulation, bots. Imports nothing else of Stratagem's."""

from games.bots import BOTS, Bot, make_bot
from games.core import BattleResult, Game, Side, SideKey, ValidatedPlan, Violation
from games.registry import GAMES, game_class, game_names, get_game

__all__ = [
    "BOTS",
    "GAMES",
    "BattleResult",
    "Bot",
    "Game",
    "Side",
    "SideKey",
    "ValidatedPlan",
    "Violation",
    "game_class",
    "game_names",
    "get_game",
    "make_bot",
]
