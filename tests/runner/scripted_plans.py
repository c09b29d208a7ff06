"""Scripted model replies for runner tests: a valid plan for whatever game and side the prompt names."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from games.registry import get_game
from harness.models.types import ChatMessage

GAME_TITLES = {
    "Tower Defense": "tower_defense",
    "Battle Card": "battle_card",
    "Elemental Duel": "elemental_duel",
}
_HEAD = re.compile(r'You are playing (.+?) as the .+? side \(plan key "(\w+)"\)')


def game_and_side(text: str) -> tuple[str, str]:
    """The game name and side key a prompt is about."""
    m = _HEAD.search(text)
    if m is None:
        raise AssertionError(f"prompt names no game/side: {text[:200]!r}")
    game = get_game(GAME_TITLES[m.group(1)])
    side = next(s.key for s in game.sides if s.plan_key == m.group(2))
    return game.name, side


def plan_reply(messages: Sequence[ChatMessage]) -> str:
    """A fenced JSON block with the game's greedy plan for the prompt's side, amid a little prose."""
    name, side = game_and_side("\n".join(m.content for m in messages))
    plan = get_game(name).greedy_plan(side)  # type: ignore[arg-type]
    return "Here is my plan.\n```json\n" + json.dumps(plan) + "\n```\n"


def example_reply(messages: Sequence[ChatMessage]) -> str:
    """The game's example plan for the prompt's side, bare."""
    name, side = game_and_side("\n".join(m.content for m in messages))
    return json.dumps(get_game(name).example_plan(side))  # type: ignore[arg-type]
