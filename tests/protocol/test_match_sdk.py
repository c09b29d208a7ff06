"""End to end through the real ``openai`` and ``anthropic`` SDKs against the loopback provider server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from protocol_support import fenced, over_budget_plan, play, read_prompt

from games.core.game import Game
from harness.agents import make_agent
from harness.models import ModelSettings, RetryPolicy
from harness.models.types import ChatMessage, GenerateConfig
from harness.protocol import MatchSettings, MatchVoided
from harness.testing.provider_server import ProviderServer, RecordedRequest, Reply

OPENAI = "openai/gpt-4.1-2025-04-14"
ANTHROPIC = "anthropic/claude-3-5-sonnet-20241022"


@pytest.fixture(autouse=True)
def fake_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-protocol")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-protocol")
    for name in ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def _server() -> Iterator[ProviderServer]:
    with ProviderServer() as server:
        yield server


@pytest.fixture
def server(_server: ProviderServer) -> ProviderServer:
    _server.clear()
    _server.reply_fn = None
    _server.delay_s = 0.0
    return _server


def _settings(server: ProviderServer) -> ModelSettings:
    return ModelSettings(
        base_urls={"openai": server.openai_base_url, "anthropic": server.anthropic_base_url},
        retry=RetryPolicy(max_attempts=2, base_backoff_s=0.0, max_backoff_s=0.0),
    )


def _prompt_of(game: Game[Any], req: RecordedRequest) -> Any:
    return read_prompt(game, [ChatMessage("user", req.last_user_text)])


def test_match_through_both_sdks(game: Game[Any], server: ProviderServer) -> None:
    """A plays through the OpenAI SDK, B through the Anthropic SDK; the server answers from the prompt."""
    server.reply_fn = lambda req: fenced(game.example_plan(_prompt_of(game, req).side))
    settings = _settings(server)
    a = make_agent(OPENAI, game=game, model_settings=settings)
    b = make_agent(ANTHROPIC, game=game, model_settings=settings)
    result = play(game, a, b, MatchSettings(rounds=3, feedback="detailed"))

    assert server.count("/v1/chat/completions") == sum(d.side == "A" for d in result.decisions)
    assert server.count("/v1/messages") == sum(d.side == "B" for d in result.decisions)
    assert all(d.failure_class == "ok" for d in result.decisions)
    assert [d.model for d in result.decisions[:2]] == [OPENAI, ANTHROPIC]
    for d in result.decisions:
        assert d.input_tokens > 1000 and d.output_tokens > 0  # the server counts ceil(chars / 4)
        assert d.cost_usd is not None and d.cost_usd > 0  # both models have known prices
    assert result.cost_usd == pytest.approx(sum(d.cost_usd or 0 for d in result.decisions))
    example_a = game.validate("A", game.example_plan("A")).canonical_json()
    assert all(r.plan_a == example_a for r in result.rounds)
    # The paper's generation settings reached the wire; the revision prompts carry the battle summary.
    openai_bodies = [r.body for r in server.requests if r.api == "openai"]
    assert all(body["temperature"] == 0.3 and body["max_completion_tokens"] == 2048 for body in openai_bodies)
    revision_texts = [
        r.last_user_text for r in server.requests if "OPPONENT'S CURRENT PLAN" in r.last_user_text
    ]
    assert revision_texts and all("BATTLE SUMMARY" in t for t in revision_texts)


def test_refusal_truncation_and_budget_through_the_sdks(
    game_name: str, game: Game[Any], server: ProviderServer
) -> None:
    over = over_budget_plan(game, "B")

    def reply(req: RecordedRequest) -> str | Reply:
        call = _prompt_of(game, req)
        if call.phase == "initial" and call.attempt == 1:
            return (
                Reply.refusal() if call.side == "A" else Reply.length('{"' + game.side("B").plan_key + '": [')
            )
        if call.side == "B" and call.phase == "initial":
            return fenced(over)
        return fenced(game.example_plan(call.side))

    server.reply_fn = reply
    settings = _settings(server)
    a = make_agent(OPENAI, game=game, model_settings=settings)
    b = make_agent(ANTHROPIC, game=game, model_settings=settings)
    result = play(game, a, b, MatchSettings(rounds=1, initial_attempts=2, revision="none"))
    classes = [(d.side, d.attempt, d.failure_class) for d in result.decisions]
    assert classes == [("A", 1, "refused"), ("B", 1, "truncated"), ("A", 2, "ok"), ("B", 2, "over_budget")]
    assert result.rounds[0].winner == "A"  # B kept its over-budget plan
    assert json.loads(result.decisions[1].violations)[0]["code"] == "truncated"


def test_plan_schema_is_sent_as_response_format(game: Game[Any], server: ProviderServer) -> None:
    server.reply_fn = lambda req: fenced(game.example_plan(_prompt_of(game, req).side))
    settings = _settings(server)
    a = make_agent(OPENAI, game=game, model_settings=settings, plan_schema=True)
    b = make_agent(OPENAI, game=game, model_settings=settings, generation=GenerateConfig(temperature=0.0))
    play(game, a, b, MatchSettings(rounds=1, revision="none"))
    bodies = {_prompt_of(game, r).side: r.body for r in server.requests}
    assert "response_format" in bodies["A"] and "response_format" not in bodies["B"]
    assert json.dumps(game.plan_schema("A"), sort_keys=True) in json.dumps(
        bodies["A"]["response_format"], sort_keys=True
    )
    assert bodies["B"]["temperature"] == 0.0


def test_server_errors_void_the_match(game: Game[Any], server: ProviderServer) -> None:
    server.reply_fn = lambda req: (
        Reply.error(500, "overloaded")
        if _prompt_of(game, req).side == "B"
        else fenced(game.example_plan("A"))
    )
    settings = _settings(server)
    a = make_agent(OPENAI, game=game, model_settings=settings)
    b = make_agent(ANTHROPIC, game=game, model_settings=settings)
    with pytest.raises(MatchVoided) as info:
        play(game, a, b, MatchSettings(rounds=2))
    last = info.value.decisions[-1]
    assert (last.side, last.failure_class, last.attempts) == ("B", "infra_error", 2)
    assert server.count("/v1/messages") == 2  # the wrapper's bounded retries, then the void
    assert "sk-ant-test-protocol" not in info.value.reason
