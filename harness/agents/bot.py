"""Bot agents: the game bots of :mod:`games.bots` behind the agent interface."""

from __future__ import annotations

import hashlib
import random
import time

from games.bots import Bot
from games.core.types import canonical_json
from harness.agents.assess import assess_plan
from harness.agents.types import Decision, DecisionRequest


def decision_seed(request: DecisionRequest) -> int:
    """A seed for one decision from the match seed, side, phase, round and attempt (stable across runs)."""
    key = f"{request.seed}|{request.side}|{request.phase}|{request.round}|{request.attempt}"
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


class BotAgent:
    """Plays one side with a game bot; deterministic given the request.

    Args:
        name: The full name (``bot/search@sims=64``), recorded in every decision.
        bot: The bot.
    """

    def __init__(self, name: str, bot: Bot) -> None:
        self.name = name
        self.bot = bot

    async def decide(self, request: DecisionRequest) -> Decision:
        """Ask the bot for a plan (it sees its own previous plan and the opponent's current one)."""
        fb = request.feedback
        start = time.perf_counter()
        # Bots are pure CPU work and quick; running them inline keeps decisions deterministic and cheap.
        plan = self.bot.plan(
            request.game,
            request.side,
            random.Random(decision_seed(request)),
            opponent=fb.opponent_plan if fb else None,
            previous=fb.own_plan if fb else None,
        )
        latency = time.perf_counter() - start
        a = assess_plan(request.game, request.side, plan)
        return Decision(
            raw_text=canonical_json(plan),
            finish_reason="stop",
            parsed=a.parsed,
            validated=a.validated,
            failure_class=a.failure_class,
            violations=a.violations,
            budget=request.game.side(request.side).budget,
            cost_usd=0.0,
            latency_s=latency,
        )
