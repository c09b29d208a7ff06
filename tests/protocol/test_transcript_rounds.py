"""What ``rounds`` means is visible: in the transcript header, the round titles, and ``--help``; a side that
kept its plan on its revision turn is never called "(revised)"."""

from __future__ import annotations

import re

from rich.console import Console
from typer.testing import CliRunner

from games.core.rounds import ROUNDS_HELP, battles, rounds_meaning
from harness.cli.app import app
from harness.protocol.transcript import match_header, round_renderable, rounds_text


def _render(renderable: object) -> str:
    console = Console(record=True, width=160, color_system=None)
    console.print(renderable)
    return console.export_text()


def _header(game: str, rounds: int = 4, **extra: object) -> dict[str, object]:
    return {
        "match_id": "m",
        "game": game,
        "ruleset": "v1",
        "model_a": "bot/a",
        "model_b": "bot/b",
        "rounds": rounds,
        "revision": "alternate",
        "first_reviser": "A",
        "feedback": "outcome",
        "seed": 0,
        "status": "finished",
        "winner": None,
        **extra,
    }


def test_rounds_meaning_per_game() -> None:
    assert battles(4, True) == 5 and battles(4, False) == 4
    assert rounds_meaning(4, True) == "4 revision rounds → 5 battles (the last labelled 4 again)"
    assert rounds_meaning(4, False) == "4 battles, 3 revision rounds between them"
    assert rounds_meaning(1, False) == "1 battle, 0 revision rounds between them"
    assert rounds_meaning(4, True, "none") == "5 battles with fixed plans (no revisions)"


def test_transcript_header_states_what_rounds_means() -> None:
    for game in ("battle_card", "elemental_duel"):
        text = _render(match_header(_header(game)))
        assert "rounds 4: 4 revision rounds → 5 battles (the last labelled 4 again)" in text, game
    text = _render(match_header(_header("tower_defense")))
    assert "rounds 4: 4 battles, 3 revision rounds between them" in text
    # An unknown game (a store from elsewhere) keeps the plain setting; an explicit flag needs no registry.
    assert rounds_text(_header("no_such_game")) == "rounds 4"
    assert rounds_text(_header("no_such_game"), final_extra_round=True).startswith("rounds 4: 4 revision")


def _round(k: int, label: int, reviser: str | None, plan_a: str, plan_b: str) -> dict[str, object]:
    return {
        "round": k,
        "label": label,
        "plan_a": plan_a,
        "plan_b": plan_b,
        "cost_a": 1,
        "cost_b": 1,
        "budget_a": 20,
        "budget_b": 20,
        "violations_a": "[]",
        "violations_b": "[]",
        "raw_winner": "A",
        "winner": "A",
        "reviser": reviser,
        "summary": "{}",
    }


def test_a_kept_plan_is_not_called_revised() -> None:
    same = '{"defenders":[{"name":"Knight"}]}'
    other = '{"invaders":[{"name":"Goblin"}]}'
    previous = _round(3, 3, "B", same, other)
    text = _render(round_renderable(_round(4, 4, "A", same, other), previous=previous))
    assert not re.search(r"same plan as round \d+ \(revised\)", text)
    assert "kept its plan of round 3 (its revision turn)" in text  # A's turn, plan unchanged
    assert "same plan as round 3" in text  # B did not have a turn


def test_the_extra_final_battle_is_named() -> None:
    plan = '{"defenders":[]}'
    text = _render(round_renderable(_round(5, 4, "B", plan, plan)))
    assert "Round 5 (final battle, labelled 4 as in the original)" in text


def test_help_of_run_and_play_states_what_rounds_means() -> None:
    runner = CliRunner()
    flat = " ".join(ROUNDS_HELP.split())
    for command in ("run", "play"):
        res = runner.invoke(app, [command, "--help"], env={"COLUMNS": "400", "TERMINAL_WIDTH": "400"})
        assert res.exit_code == 0, res.output
        text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", res.output).split())
        assert "R revision rounds → R+1 battles" in text, command
        assert "tower_defense" in text and "R battles" in text, command
    assert "R+1 battles" in flat
