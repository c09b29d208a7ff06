"""Transcripts: live and stored rounds render the same, model text is never read as markup."""

from __future__ import annotations

from typing import Any

from protocol_support import Call, Script, example, fenced, play
from rich.console import Console

from games.core.game import Game
from harness.agents import make_agent
from harness.protocol import MatchSettings
from harness.protocol.transcript import (
    LiveTranscript,
    decision_renderable,
    match_renderables,
    plan_changes,
    round_renderable,
)


def _render(*renderables: Any) -> str:
    console = Console(record=True, width=140, color_system=None)
    for r in renderables:
        console.print(r)
    return console.export_text()


def test_plan_changes() -> None:
    before = '{"humans":[{"name":"A","x":1},{"name":"B","x":2}]}'
    assert plan_changes(before, before) == "unchanged"
    assert plan_changes(before, '{"humans":[{"name":"B","x":2},{"name":"A","x":1}]}') == "reordered"
    assert plan_changes(before, '{"humans":[{"name":"A","x":1},{"name":"C","x":3}]}') == "-B x=2, +C x=3"
    assert plan_changes('{"humans":[]}', '{"humans":[{"name":"A"},{"name":"A"}]}') == "+2× A"


def test_live_and_stored_transcripts_agree(game: Game[Any]) -> None:
    labels = {s.key: s.label for s in game.sides}
    console = Console(record=True, width=140, color_system=None)
    live = LiveTranscript(console, labels=labels, models={"A": "bot/random", "B": "bot/greedy"})
    result = play(
        game,
        make_agent("bot/random", game=game),
        make_agent("bot/greedy", game=game),
        MatchSettings(rounds=3),
        on_round=live.on_round,
        on_decision=live.on_decision,
    )
    live_text = console.export_text()
    for r in result.rounds:
        assert f"Round {r.round}" in live_text
    last = result.rounds[-1].winner
    assert (f"winner: {last} ({labels[last]})" if last else "winner: no winner") in live_text
    match_row = {
        "match_id": "m-test",
        "game": game.name,
        "model_a": "bot/random",
        "model_b": "bot/greedy",
        "rounds": 3,
        "revision": "alternate",
        "first_reviser": "A",
        "feedback": "outcome",
        "seed": 1,
        "status": "finished",
        "winner": result.winner,
    }
    stored = _render(
        *match_renderables(
            match_row,
            [r.to_row() for r in result.rounds],
            [d.to_row() for d in result.decisions],
            labels=labels,
        )
    )
    # Every round and decision printed live is printed the same way from stored rows.
    for r in result.rounds:
        block = _render(
            round_renderable(
                r.to_row(),
                previous=result.rounds[r.round - 2].to_row() if r.round > 1 else None,
                labels=labels,
                models={"A": "bot/random", "B": "bot/greedy"},
            )
        )
        assert block in live_text and block in stored
    for d in result.decisions:
        assert _render(decision_renderable(d.to_row())) in stored
    assert "bot/random" in stored and "status finished" in stored


def test_model_text_is_escaped(game: Game[Any]) -> None:
    evil = "[bold red]pwned[/bold red] [link=http://x]click[/link]"

    def reply(call: Call) -> str:
        return evil if call.phase == "revision" else fenced(game.example_plan(call.side))

    a, b = Script(game, reply), Script(game, example(game))
    console = Console(record=True, width=160, color_system=None)
    live = LiveTranscript(console, show_prompts=True)
    result = play(
        game,
        a.agent(),
        b.agent(),
        MatchSettings(rounds=2),
        on_round=live.on_round,
        on_decision=live.on_decision,
    )
    text = console.export_text()
    assert evil in text  # printed literally, markup not interpreted
    assert "You are playing" in text and "=== RULES ===" in text  # prompts shown with show_prompts
    assert "unparseable" in text
    assert next(d for d in result.decisions if d.phase == "revision" and d.side == "A").raw_text == evil
    stored = _render(
        *match_renderables(
            {"match_id": "m"},
            [r.to_row() for r in result.rounds],
            [d.to_row() for d in result.decisions],
            show_prompts=True,
        )
    )
    assert evil in stored


def test_overridden_winner_and_over_budget_are_marked() -> None:
    row = {
        "round": 2,
        "label": 2,
        "plan_a": '{"humans":[{"name":"X"}]}',
        "plan_b": '{"demons":[]}',
        "cost_a": 2100,
        "cost_b": 0,
        "budget_a": 2000,
        "budget_b": 1500,
        "violations_a": '[{"code":"unknown_unit","index":0,"field":"name","message":"bad [red]name[/red]"}]',
        "violations_b": "[]",
        "raw_winner": "A",
        "winner": "B",
        "reviser": "A",
        "summary": "{}",
    }
    text = _render(round_renderable(row, labels={"A": "Human", "B": "Demon"}))
    assert "2100/2000" in text
    assert "winner: B (Demon) (simulator: A (Human); overridden by budget/forfeit)" in text
    assert "[unknown_unit] entry 0: bad [red]name[/red]" in text
    assert "after revision by A" in text
    assert "(empty plan)" in text


def test_entries_are_named_by_name_or_element() -> None:
    text = _render(
        round_renderable(
            {
                "round": 1,
                "label": 1,
                "plan_a": '{"defenders":[{"element":"Wood","skills":["a","b"]}]}',
                "plan_b": '{"invaders":[{"name":"Phoenix","tier":"Gold"}]}',
                "cost_a": 3,
                "cost_b": 12,
                "budget_a": 20,
                "budget_b": 20,
                "violations_a": "[]",
                "violations_b": "[]",
                "raw_winner": None,
                "winner": None,
                "reviser": None,
                "summary": "{}",
            }
        )
    )
    assert 'Wood skills=["a", "b"]' in text and "Phoenix tier=Gold" in text
    assert "winner: no winner" in text
