"""Golden playthrough files: a game's generated texts and a few fixed outcomes, as reviewable files.

``playthrough_files(game)`` renders, for each side, the rules text and plan schema, plus one JSON document
with the example plans, their validation, and the outcomes of example vs example, greedy vs greedy and a few
seeded random pairs. The files are committed under ``tests/games/golden/<folder>/`` (:func:`golden_folder`:
``<game>`` for ruleset v1, ``<game>@<ruleset>`` for the others) and a test diffs against them, so any rule or
text drift shows up in review. Regenerate with ``python scripts/regen_golden.py [GAME[@RULESET] ...]``.
"""

from __future__ import annotations

import json
import random
from typing import Any

from games.core.game import Game
from games.core.types import SIDE_KEYS, ValidatedPlan
from games.registry import ORIGINAL_RULESET

#: Seeded random pairs included in the playthrough.
RANDOM_PAIRS = 5


def golden_folder(name: str, ruleset: str) -> str:
    """The golden folder of a game's ruleset: ``<game>`` for v1 (as always), else ``<game>@<ruleset>``."""
    return name if ruleset == ORIGINAL_RULESET else f"{name}@{ruleset}"


def _outcome(game: Game[Any], va: ValidatedPlan, vb: ValidatedPlan) -> dict[str, Any]:
    result = game.simulate(va, vb)
    return {
        "plan_a": va.plan,
        "plan_b": vb.plan,
        "cost_a": va.cost,
        "cost_b": vb.cost,
        "winner": result.winner,
        "summary": result.summary,
    }


def playthrough(game: Game[Any], seed: int = 0) -> dict[str, Any]:
    """The playthrough document of ``game`` (JSON-able)."""
    examples = {s: game.validate(s, game.example_plan(s)) for s in SIDE_KEYS}
    greedy = {s: game.validate(s, game.greedy_plan(s)) for s in SIDE_KEYS}
    rng = random.Random(seed)
    randoms = []
    for _ in range(RANDOM_PAIRS):
        va = game.validate("A", game.random_plan("A", rng))
        vb = game.validate("B", game.random_plan("B", rng))
        randoms.append(_outcome(game, va, vb))
    return {
        "game": game.name,
        "ruleset": game.ruleset,
        "params": game.params_dict(),
        "sides": [
            {"key": s.key, "name": s.name, "label": s.label, "plan_key": s.plan_key, "budget": s.budget}
            for s in game.sides
        ],
        "example_validation": {
            s: {"cost": v.cost, "violations": v.violations_as_dicts()} for s, v in examples.items()
        },
        "example_vs_example": _outcome(game, examples["A"], examples["B"]),
        "greedy_vs_greedy": _outcome(game, greedy["A"], greedy["B"]),
        "random_pairs": randoms,
    }


def playthrough_files(game: Game[Any]) -> dict[str, str]:
    """File name → content of the golden files of ``game``."""
    files: dict[str, str] = {}
    for s in game.sides:
        files[f"rules_{s.key}_{s.name}.txt"] = game.rules_text(s.key).rstrip("\n") + "\n"
        files[f"schema_{s.key}_{s.name}.json"] = (
            json.dumps(game.plan_schema(s.key), indent=2, sort_keys=True) + "\n"
        )
    files["playthrough.json"] = json.dumps(playthrough(game), indent=2, sort_keys=True) + "\n"
    return files
