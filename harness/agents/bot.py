"""Bot agents: the game bots of :mod:`games.bots` behind the agent interface."""

from __future__ import annotations

import hashlib
import random
import re
import time
import weakref
from typing import Any, NamedTuple

from games.bots import Bot
from games.core.game import Game
from games.core.types import SideKey, canonical_json
from harness.agents.assess import Assessment, assess_plan
from harness.agents.types import Decision, DecisionRequest


def decision_seed(request: DecisionRequest) -> int:
    """A seed for one decision from the match seed, side, phase, round and attempt (stable across runs)."""
    key = f"{request.seed}|{request.side}|{request.phase}|{request.round}|{request.attempt}"
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


class _Made(NamedTuple):
    """What a decision derives from a plan: its canonical JSON text, its assessment, the side's budget."""

    raw_text: str
    assessment: Assessment
    budget: int


#: A digit or a JSON boolean: canonical JSON without either holds no number and no boolean.
_NUMBER_OR_BOOL = re.compile(r"[0-9]|true|false")


def _made(game: Game[Any], side: SideKey, plan: Any) -> _Made:
    """Assess ``plan`` and encode it, encoding only once when the plan already is canonical.

    The raw text is the canonical JSON of the bot's own plan; the decision record stores the canonical JSON of
    the validated plan too, and a bot's valid plan is usually canonical already. Python equality of the two
    plans implies equal JSON except where ``1``, ``1.0`` and ``True`` are equal but print differently; when
    the validated plan's JSON holds no digit and no boolean, no such leaf exists (its leaves are strings and
    nulls, which equal only themselves), so that text is the raw text too. Otherwise the plan is encoded.
    """
    a = assess_plan(game, side, plan)
    vp = a.validated
    raw_text: str | None = None
    if vp is not None and vp.plan == plan:
        text = vp.canonical_json()  # kept on the plan: the records and rounds need it anyway
        if _NUMBER_OR_BOOL.search(text) is None:
            raw_text = text
    if raw_text is None:
        raw_text = canonical_json(plan)
    return _Made(raw_text, a, game.side(side).budget)


class BotAgent:
    """Plays one side with a game bot; deterministic given the request.

    Args:
        name: The full name (``bot/search@sims=64``), recorded in every decision.
        bot: The bot.
    """

    def __init__(self, name: str, bot: Bot) -> None:
        self.name = name
        self.bot = bot
        # A fixed-plan bot's (Bot.fixed_plan) plan, encoded and validated, per game object and side.
        # Validation and encoding are pure functions of the game and the plan, so every decision after the
        # first returns the same text and the same (immutable) assessment; the weak keys let a run's games go.
        self._fixed: weakref.WeakKeyDictionary[Game[Any], dict[SideKey, _Made]] = weakref.WeakKeyDictionary()

    async def decide(self, request: DecisionRequest) -> Decision:
        """Ask the bot for a plan (it sees its own previous plan and the opponent's current one)."""
        start = time.perf_counter()
        # Bots are pure CPU work and quick; running them inline keeps decisions deterministic and cheap.
        made = self._fixed_plan(request) if self.bot.fixed_plan else self._new_plan(request)
        latency = time.perf_counter() - start
        a = made.assessment
        return Decision(
            raw_text=made.raw_text,
            finish_reason="stop",
            parsed=a.parsed,
            validated=a.validated,
            failure_class=a.failure_class,
            violations=a.violations,
            budget=made.budget,
            cost_usd=0.0,
            latency_s=latency,
        )

    def _new_plan(self, request: DecisionRequest) -> _Made:
        """Ask the bot, with this decision's own seeded rng, and assess its plan."""
        fb = request.feedback
        plan = self.bot.plan(
            request.game,
            request.side,
            random.Random(decision_seed(request)),
            opponent=fb.opponent_plan if fb else None,
            previous=fb.own_plan if fb else None,
        )
        return _made(request.game, request.side, plan)

    def _fixed_plan(self, request: DecisionRequest) -> _Made:
        """The fixed-plan bot's plan for the request's game and side, made on first use and then reused.

        Such a bot ignores its rng and the feedback, so later decisions seed no rng (seeding one costs more
        than the rest of such a decision) and neither ask it nor validate again.
        """
        game, side = request.game, request.side
        by_side = self._fixed.get(game)
        if by_side is None:
            by_side = self._fixed[game] = {}
        made = by_side.get(side)
        if made is None:
            plan = self.bot.plan(game, side, random.Random(decision_seed(request)))
            made = by_side[side] = _made(game, side, plan)
        return made
