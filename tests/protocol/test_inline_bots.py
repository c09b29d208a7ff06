"""Two bots' decisions run one after the other instead of as tasks: the records are the same."""

from __future__ import annotations

import asyncio

import pytest

from games.registry import get_game
from harness.agents import make_agent
from harness.protocol import InitialPlanCache
from harness.protocol.match import play_match
from harness.protocol.settings import MatchSettings


class NotABot:
    """Delegates to a bot but is not a ``BotAgent``: the protocol calls it through tasks, as any agent."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name

    async def decide(self, request):
        await asyncio.sleep(0)  # a real suspension, as an LLM call has
        return await self.inner.decide(request)


@pytest.mark.parametrize("revision", ["alternate", "simultaneous", "none"])
@pytest.mark.parametrize("game_name", ["elemental_duel", "battle_card", "tower_defense"])
def test_inline_bot_decisions_give_the_records_of_concurrent_ones(game_name, revision):
    game = get_game(game_name)
    a = make_agent("bot/random", game=game)
    b = make_agent("bot/search@sims=4", game=game)
    settings = MatchSettings(
        rounds=3,
        revision=revision,
        first_reviser="B",
        feedback="outcome",
        initial_attempts=2,
        invalid_plan_policy="keep_previous",
        initial_plans="shared",
    )

    def records(agent_a, agent_b):
        async def two_matches():
            cache = InitialPlanCache()  # the second match reuses the first one's initial plans
            return [
                await play_match(
                    game, agent_a, agent_b, settings, seed=s, match_id=f"m{s}", initial_plans=cache
                )
                for s in (4, 5)
            ]

        results = asyncio.run(two_matches())
        return [
            ([r.to_row() for r in res.rounds], [{**d.to_row(), "latency_s": 0} for d in res.decisions])
            for res in results
        ]

    assert records(a, b) == records(NotABot(a), NotABot(b))
