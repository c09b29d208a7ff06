"""Agents: failure classification of replies, bot agents, the LLM agent over a model, make_agent."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest

from games.bots import GreedyBot, make_bot
from games.core.errors import ParameterError, UnknownNameError
from games.core.game import Game
from games.core.types import Side, SideKey, ValidatedPlan, canonical_json, other_side
from games.registry import get_game as load_game
from harness.agents import (
    BotAgent,
    DecisionRequest,
    LLMAgent,
    assess_plan,
    assess_reply,
    decision_seed,
    make_agent,
)
from harness.models.types import ChatMessage, Completion, GenerateConfig, Usage
from harness.prompts import RevisionFeedback

SIDES: tuple[SideKey, SideKey] = ("A", "B")
BUDGET_PARAMS = {
    "tower_defense": {"A": "human_budget", "B": "demon_budget"},
    "battle_card": {"A": "defenders_budget", "B": "invaders_budget"},
    "elemental_duel": {"A": "defenders_budget", "B": "invaders_budget"},
}


def _fenced(plan: Any) -> str:
    return f"Here you go.\n```json\n{json.dumps(plan)}\n```"


@pytest.mark.parametrize("side", SIDES)
def test_failure_classes(game: Game[Any], side: SideKey) -> None:
    key = game.side(side).plan_key
    example = game.example_plan(side)

    ok = assess_reply(game, side, _fenced(example), "stop")
    assert ok.failure_class == "ok" and ok.violations == ()
    assert ok.validated is not None and ok.validated.plan == game.validate(side, example).plan

    cases = {
        "unparseable": ("I would rather not say.", "stop"),
        "schema_violation": (json.dumps({game.side(other_side(side)).plan_key: []}), "stop"),
        "truncated": ('{"' + key + '": [', "length"),
        "refused": ("", "refused"),
    }
    for expected, (text, finish) in cases.items():
        a = assess_reply(game, side, text, finish)  # type: ignore[arg-type]
        assert a.failure_class == expected, (expected, a)
        assert a.validated is None
        assert [v.code for v in a.violations] == [expected]

    # The validator's own "not a plan" codes are schema violations too.
    not_list = assess_reply(game, side, json.dumps({key: "everything"}), "stop")
    assert not_list.failure_class == "schema_violation" and not_list.validated is None

    bad = dict(example)
    bad[key] = [7, *example[key]]  # an entry that is not an object breaks a rule in every game
    rv = assess_reply(game, side, json.dumps(bad), "stop")
    assert rv.failure_class == "rule_violation"
    assert rv.validated is not None and rv.validated.violations == rv.violations
    assert rv.violations[0].code == "entry_not_object" and rv.violations[0].index == 0

    # A complete, valid plan whose reply was cut afterwards keeps the plan but is classed truncated.
    cut = assess_reply(game, side, _fenced(example) + "\nAnd my reasoning is", "length")
    assert cut.failure_class == "truncated" and cut.validated is not None and cut.violations == ()


@pytest.mark.parametrize("side", SIDES)
def test_over_budget_class(game: Game[Any], side: SideKey) -> None:
    cheap = load_game(game.name, {BUDGET_PARAMS[game.name][side]: 0}, game.ruleset)
    plan = game.greedy_plan(side)  # a plan within the default budget costs > 0
    a = assess_reply(cheap, side, json.dumps(plan), "stop")
    assert a.failure_class == "over_budget"
    assert a.violations == ()
    assert a.validated is not None and a.validated.cost > 0


def _request(
    game: Game[Any], side: SideKey, seed: int, phase: str = "initial", round_: int = 0
) -> DecisionRequest:
    fb = None
    if phase == "revision":
        opp = other_side(side)
        fb = RevisionFeedback(
            "outcome",
            opp,
            game.validate(side, game.greedy_plan(side)),
            game.validate(opp, game.greedy_plan(opp)),
        )
    return DecisionRequest(game, side, phase, round_, 1, seed, feedback=fb)  # type: ignore[arg-type]


@pytest.mark.parametrize("bot", ["random", "greedy", "search@sims=8"])
def test_bot_agents_are_deterministic_and_valid(game: Game[Any], bot: str) -> None:
    agent = make_agent(f"bot/{bot}", game=game)
    assert isinstance(agent, BotAgent) and agent.name == f"bot/{bot}"
    for side in SIDES:
        for phase, round_ in (("initial", 0), ("revision", 3)):
            first = asyncio.run(agent.decide(_request(game, side, 7, phase, round_)))
            again = asyncio.run(agent.decide(_request(game, side, 7, phase, round_)))
            assert first.raw_text == again.raw_text
            assert first.failure_class == "ok", first.violations
            assert first.cost_usd == 0.0 and first.prompt is None


@pytest.mark.parametrize("bot", ["random", "greedy", "search@sims=8"])
def test_bot_decisions_are_the_bots_plan_encoded_and_validated(game: Game[Any], bot: str) -> None:
    """A decision is the bot's plan for the rng seeded from the request, encoded and assessed as it is.

    The greedy bot's plan is made, encoded and validated once per game and side: that must not show.
    """
    agent = make_agent(f"bot/{bot}", game=game)
    direct = make_bot(bot)
    for side in SIDES:
        for phase, round_ in (("initial", 0), ("revision", 1), ("revision", 2)):
            request = _request(game, side, 11, phase, round_)
            fb = request.feedback
            plan = direct.plan(
                game,
                side,
                random.Random(decision_seed(request)),
                opponent=fb.opponent_plan if fb else None,
                previous=fb.own_plan if fb else None,
            )
            expected = assess_plan(game, side, plan)
            decision = asyncio.run(agent.decide(request))
            assert decision.raw_text == canonical_json(plan)
            assert decision.parsed == expected.parsed
            assert decision.validated == expected.validated
            assert decision.validated is not None
            assert decision.validated.canonical_json() == canonical_json(expected.validated.plan)
            assert (decision.failure_class, decision.violations) == (
                expected.failure_class,
                expected.violations,
            )
            assert decision.budget == game.side(side).budget


class _AskedGreedy(GreedyBot):
    """The greedy bot, counting how often it is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def plan(self, game, side, rng, opponent=None, previous=None):  # type: ignore[no-untyped-def]
        self.asked += 1
        return super().plan(game, side, rng, opponent, previous)


def test_fixed_plan_bots_are_asked_once_per_game_and_side(game: Game[Any]) -> None:
    bot = _AskedGreedy()
    agent = BotAgent("bot/greedy", bot)
    decisions = [asyncio.run(agent.decide(_request(game, "A", seed))) for seed in range(3)]
    assert bot.asked == 1
    assert all(d.validated is decisions[0].validated for d in decisions)  # one plan object, validated once
    asyncio.run(agent.decide(_request(game, "B", 0)))
    assert bot.asked == 2
    # Another game object (here with no budget for A) gets its own plan and assessment.
    broke = load_game(game.name, {BUDGET_PARAMS[game.name]["A"]: 0}, game.ruleset)
    poor = asyncio.run(agent.decide(_request(broke, "A", 0)))
    assert bot.asked == 3
    assert poor.budget == 0 and poor.validated is not decisions[0].validated
    assert poor.failure_class == assess_plan(broke, "A", broke.greedy_plan("A")).failure_class
    assert decisions[0].failure_class == "ok" and decisions[0].budget == game.side("A").budget


class _Canonicaliser:
    """Just enough of a game for a bot agent: its validator turns every ``n`` into the integer 1."""

    def side(self, key: SideKey) -> Side:
        return Side(key, "x", "X", "xs", 10)

    def validate(self, side: SideKey, obj: Any) -> ValidatedPlan:
        return ValidatedPlan(side, {"xs": [{"n": 1} if "n" in e else e for e in obj["xs"]]}, 1)


class _Given(GreedyBot):
    """A bot with a given plan."""

    fixed_plan = False

    def __init__(self, plan: dict[str, Any]) -> None:
        super().__init__()
        self.fixed = plan

    def plan(self, game, side, rng, opponent=None, previous=None):  # type: ignore[no-untyped-def]
        return self.fixed


@pytest.mark.parametrize(
    "plan",
    [{"xs": [{"n": True}]}, {"xs": [{"n": 1.0}]}, {"xs": [{"n": 1}]}, {"xs": [{"s": "a"}, {"s": None}]}],
    ids=["bool", "float", "int", "strings"],
)
def test_the_raw_text_is_the_bots_own_plan_encoded(plan: dict[str, Any]) -> None:
    """Plans equal in Python but not in JSON (True == 1 == 1.0) keep their own raw text."""
    game: Any = _Canonicaliser()
    decision = asyncio.run(
        BotAgent("bot/x", _Given(plan)).decide(DecisionRequest(game, "A", "initial", 0, 1, 0))
    )
    assert decision.raw_text == canonical_json(plan)
    assert decision.validated is not None
    assert decision.validated.canonical_json() == canonical_json(game.validate("A", plan).plan)


def test_random_bot_varies_with_the_seed(game: Game[Any]) -> None:
    agent = make_agent("bot/random", game=game)
    plans = {asyncio.run(agent.decide(_request(game, "A", seed))).raw_text for seed in range(6)}
    assert len(plans) > 1


def test_decision_seed_depends_on_every_part(game: Game[Any]) -> None:
    base = _request(game, "A", 1)
    variants = [
        _request(game, "B", 1),
        _request(game, "A", 2),
        DecisionRequest(game, "A", "initial", 0, 2, 1),
        _request(game, "A", 1, "revision", 1),
    ]
    seeds = {decision_seed(base), *(decision_seed(v) for v in variants)}
    assert len(seeds) == 5


def test_make_agent_rejects_bad_bot_names(game: Game[Any]) -> None:
    with pytest.raises(UnknownNameError, match="greedy"):
        make_agent("bot/nosuchbot", game=game)
    with pytest.raises(ParameterError):
        make_agent("bot/", game=game)
    with pytest.raises(ParameterError):
        make_agent("bot/search@nosuchparam=1", game=game)


class FakeModel:
    """A ChatModel double that records calls and answers with the example plan of the side asked."""

    name = "fake/model"

    def __init__(self, game: Game[Any]) -> None:
        self.game = game
        self.calls: list[tuple[list[ChatMessage], GenerateConfig, int]] = []

    async def generate(
        self, messages: list[ChatMessage], config: GenerateConfig, *, sample_index: int = 0
    ) -> Completion:
        self.calls.append((messages, config, sample_index))
        side: SideKey = "A" if f'plan key "{self.game.side("A").plan_key}"' in messages[0].content else "B"
        text = _fenced(self.game.example_plan(side))
        return Completion(
            text, "stop", Usage(100, 20, 5), self.name, latency_s=0.1, cost_usd=0.002, attempts=2
        )


def test_llm_agent_over_a_chat_model(game: Game[Any]) -> None:
    model = FakeModel(game)
    agent = LLMAgent("fake/model", model, plan_schema=True)
    decision = asyncio.run(agent.decide(_request(game, "B", 99)))
    assert decision.failure_class == "ok"
    assert (
        decision.validated is not None
        and decision.validated.plan == game.validate("B", game.example_plan("B")).plan
    )
    assert decision.usage == Usage(100, 20, 5) and decision.cost_usd == 0.002 and decision.attempts == 2
    assert decision.prompt is not None and decision.prompt[0].content.startswith("You are playing")
    _messages, config, sample_index = model.calls[0]
    assert config.response_schema == game.plan_schema("B")
    assert (config.temperature, config.top_p, config.max_tokens) == (0.3, 1.0, 2048)  # the paper's defaults
    assert sample_index == 99
    # Without plan_schema no schema is sent, and the agent identity differs for sharing initial plans.
    plain = LLMAgent("fake/model", model)
    asyncio.run(plain.decide(_request(game, "A", 1, "revision", 2)))
    assert model.calls[-1][1].response_schema is None
    assert "OPPONENT'S CURRENT PLAN" in model.calls[-1][0][0].content
    assert plain.cache_key != agent.cache_key


def test_make_agent_builds_llm_agents_through_the_model_layer(game: Game[Any]) -> None:
    from harness.models import register_script

    register_script("agents-test", ["{}"])
    agent = make_agent("scripted/agents-test", game=game, generation=GenerateConfig(temperature=0.0))
    assert isinstance(agent, LLMAgent)
    assert agent.name == "scripted/agents-test" and agent.generation.temperature == 0.0
    decision = asyncio.run(agent.decide(_request(game, "A", 0)))
    assert decision.failure_class == "schema_violation"
    with pytest.raises(UnknownNameError):
        make_agent("nosuchprovider/x", game=game)
