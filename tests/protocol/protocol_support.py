"""Helpers of the protocol tests: scripted models that read their prompt, over-budget plans, matches."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from games.core.game import Game
from games.core.types import SideKey
from games.registry import get_game as load_game
from harness.agents import Agent, make_agent
from harness.models import ModelSettings, RetryPolicy, register_script
from harness.models.types import ChatMessage
from harness.protocol import MatchResult, MatchSettings, play_match

BUDGET_PARAMS = {
    "tower_defense": {"A": "human_budget", "B": "demon_budget"},
    "battle_card": {"A": "defenders_budget", "B": "invaders_budget"},
    "elemental_duel": {"A": "defenders_budget", "B": "invaders_budget"},
}
FAST = ModelSettings(retry=RetryPolicy(max_attempts=1, base_backoff_s=0.0))
_names = itertools.count()


@dataclass(frozen=True)
class Call:
    """What a scripted model was asked, read back from its prompt."""

    side: SideKey
    phase: str
    attempt: int  # initial phase: 1-based attempt; revisions: 0
    text: str


def read_prompt(game: Game[Any], messages: list[ChatMessage]) -> Call:
    text = messages[-1].content
    key = re.search(r'plan key "([a-z]+)"', text)
    side: SideKey = "A" if key and key.group(1) == game.side("A").plan_key else "B"
    if "=== EXAMPLE PLAN" in text:
        previous = re.search(r"\[Attempt (\d+)\]", text)
        return Call(side, "initial", int(previous.group(1)) + 1 if previous else 1, text)
    return Call(side, "revision", 0, text)


@dataclass
class Script:
    """A registered scripted model whose replies come from ``reply(call)``; it logs every call."""

    game: Game[Any]
    reply: Callable[[Call], str]
    calls: list[Call] = field(default_factory=list)
    name: str = ""

    def __post_init__(self) -> None:
        self.name = f"scripted/protocol-test-{next(_names)}"

        def answer(messages: list[ChatMessage]) -> str:
            call = read_prompt(self.game, messages)
            self.calls.append(call)
            return self.reply(call)

        register_script(self.name.removeprefix("scripted/"), answer)

    def agent(self, settings: ModelSettings = FAST, **kwargs: Any) -> Agent:
        return make_agent(self.name, game=self.game, model_settings=settings, **kwargs)


def fenced(plan: Any) -> str:
    return f"My plan:\n```json\n{json.dumps(plan)}\n```"


def example(game: Game[Any]) -> Callable[[Call], str]:
    return lambda call: fenced(game.example_plan(call.side))


def over_budget_plan(game: Game[Any], side: SideKey) -> dict[str, Any]:
    """A plan without violations whose cost exceeds the side's default budget (in ``game``'s ruleset)."""
    budget = game.side(side).budget
    rich = load_game(game.name, {BUDGET_PARAMS[game.name][side]: budget * 4}, game.ruleset)
    for seed in range(500):
        import random

        plan = rich.random_plan(side, random.Random(seed))
        vp = game.validate(side, plan)
        if vp.ok and vp.cost > budget:
            return plan
    raise AssertionError(f"no over-budget plan found for {game.name} {game.ruleset} {side}")


def with_violation(game: Game[Any], side: SideKey) -> dict[str, Any]:
    """The example plan with its first entry replaced by a non-object (a rule violation in every game)."""
    plan = dict(game.example_plan(side))
    key = game.side(side).plan_key
    plan[key] = [7, *plan[key][1:]]
    return plan


def valid_part(game: Game[Any], side: SideKey) -> str:
    """Canonical JSON of what :func:`with_violation`'s plan fields: the example without its first entry."""
    plan = dict(game.example_plan(side))
    key = game.side(side).plan_key
    plan[key] = plan[key][1:]
    return game.validate(side, plan).canonical_json()


def play(
    game: Game[Any], a: Agent, b: Agent, settings: MatchSettings, seed: int = 1, **kwargs: Any
) -> MatchResult:
    return asyncio.run(play_match(game, a, b, settings, seed=seed, match_id="m-test", **kwargs))


def rows(result: MatchResult) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Round and decision rows without the volatile latency column."""
    decisions = [{k: v for k, v in d.to_row().items() if k != "latency_s"} for d in result.decisions]
    return [r.to_row() for r in result.rounds], decisions
