"""Game-independent building blocks: types, the Game base class, registries, errors, naming."""

from games.core.errors import EngineError, ParameterError, StratagemError, UnknownNameError, UserError
from games.core.game import Game, build_params
from games.core.naming import VariantName, format_variant, parse_variant
from games.core.registry import Registry
from games.core.types import (
    SIDE_KEYS,
    BattleResult,
    Side,
    SideKey,
    ValidatedPlan,
    Violation,
    canonical_json,
    other_side,
)

__all__ = [
    "SIDE_KEYS",
    "BattleResult",
    "EngineError",
    "Game",
    "ParameterError",
    "Registry",
    "Side",
    "SideKey",
    "StratagemError",
    "UnknownNameError",
    "UserError",
    "ValidatedPlan",
    "VariantName",
    "Violation",
    "build_params",
    "canonical_json",
    "format_variant",
    "other_side",
    "parse_variant",
]
