"""``stratagem run | play | show | export`` via typer's CliRunner (and once via the real entry point)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from harness.cli.app import app
from harness.models import register_script

runner = CliRunner()

SMALL = """\
name: small
games: [battle_card, elemental_duel]
models: [bot/random, bot/greedy]
settings: [{side: A, first_reviser: A}, {side: B, first_reviser: B}]
protocol: {rounds: 2}
"""


def invoke(*args: str):
    return runner.invoke(app, list(args))


def one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


BAD_FILES = {
    "unknown_provider": (
        "games: [battle_card]\nmodels: [bot/random, acme/gpt-9]\n",
        "line 2",
        "unknown model provider 'acme'",
    ),
    "unknown_game": ("games: [go]\nmodels: [bot/random, bot/greedy]\n", "line 1", "unknown game 'go'"),
    "negative_rounds": (
        "games: [battle_card]\nmodels: [bot/random, bot/greedy]\nprotocol:\n  rounds: -3\n",
        "line 4",
        "protocol.rounds: Input should be greater than or equal to 1",
    ),
    "wrong_type": (
        "games: [battle_card]\nmodels: [bot/random, bot/greedy]\nrepetitions: many\n",
        "line 3",
        "repetitions: Input should be a valid integer",
    ),
    "yaml_syntax": ("games: [battle_card\nmodels: {bot/random\n", "line", "YAML syntax error"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_experiment_files_exit_2_with_one_line_and_write_nothing(in_tmp, case):
    text, line, message = BAD_FILES[case]
    path = in_tmp / "bad.yaml"
    path.write_text(text + "store: out/bad.sqlite\n" if case != "yaml_syntax" else text)
    before = sorted(p.name for p in in_tmp.iterdir())
    result = invoke("run", str(path), "--store", str(in_tmp / "out" / "x.sqlite"))
    assert result.exit_code == 2
    msg = one_line(result.stderr)
    assert msg.startswith("error: ")
    assert message in msg
    if line != "line":
        assert f"bad.yaml:{line.split()[1]}:" in msg
    assert sorted(p.name for p in in_tmp.iterdir()) == before  # no store, no results/ folder


def test_unknown_preset_exit_2(in_tmp):
    result = invoke("run", "nonsense")
    assert result.exit_code == 2
    assert "unknown preset 'nonsense'" in one_line(result.stderr)
    assert not (in_tmp / "results").exists()


def test_dry_run_counts_the_advgamebench_preset():
    result = invoke("run", "advgamebench", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "advgamebench: 432 matches (3 fingerprints)" in result.stdout


def test_run_resume_and_store_guards(in_tmp):
    exp = in_tmp / "small.yaml"
    exp.write_text(SMALL)
    result = invoke("run", str(exp), "--store", "s.sqlite")
    assert result.exit_code == 0, result.output
    assert "done: 4/4 matches (4 played now, 0 already stored" in result.stderr
    again = invoke("run", str(exp), "--store", "s.sqlite")
    assert again.exit_code == 0
    assert "(0 played now, 4 already stored" in again.stderr
    # same matches, measurement changed: refused
    changed = in_tmp / "changed.yaml"
    changed.write_text(SMALL.replace("rounds: 2", "rounds: 3"))
    refused = invoke("run", str(changed), "--store", "s.sqlite")
    assert refused.exit_code == 2
    assert "is stored as match" in one_line(refused.stderr)
    # a different experiment: refused unless --allow-mixed
    other = in_tmp / "other.yaml"
    other.write_text(
        SMALL.replace("battle_card, elemental_duel", "tower_defense").replace("name: small", "name: other")
    )
    mixed = invoke("run", str(other), "--store", "s.sqlite")
    assert mixed.exit_code == 2
    assert "other experiments" in one_line(mixed.stderr)
    allowed = invoke("run", str(other), "--store", "s.sqlite", "--allow-mixed", "--quiet")
    assert allowed.exit_code == 0 and allowed.stderr == ""


def test_play_bots_live_transcript_store_show_export(in_tmp):
    # Ruleset v1 named: the advgamebench export at the end holds v1 matches only.
    result = invoke(
        "play",
        "--game",
        "battle_card@ruleset=v1",
        "--a",
        "bot/greedy",
        "--b",
        "bot/random",
        "--rounds",
        "3",
        "--seed",
        "4",
        "--feedback",
        "detailed",
        "--store",
        "p.sqlite",
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    for n in (1, 2, 3, 4):
        assert f"Round {n}" in out
    assert "final winner:" in out
    match_id = out.split("final winner:")[1].split("match")[1].split()[0]
    assert "stored as" in result.stderr
    # playing it again does not duplicate it
    again = invoke(
        "play",
        "--game",
        "battle_card@ruleset=v1",
        "--a",
        "bot/greedy",
        "--b",
        "bot/random",
        "--rounds",
        "3",
        "--seed",
        "4",
        "--feedback",
        "detailed",
        "--store",
        "p.sqlite",
    )
    assert again.exit_code == 0 and "already in" in again.stderr
    listing = invoke("show", "p.sqlite")
    assert listing.exit_code == 0
    assert match_id in listing.stdout and "battle_card" in listing.stdout
    replay = invoke("show", "p.sqlite", match_id[:8])
    assert replay.exit_code == 0
    assert "Round 4" in replay.stdout and "bot/greedy" in replay.stdout
    missing = invoke("show", "p.sqlite", "zzzz")
    assert missing.exit_code == 2 and "no match 'zzzz'" in one_line(missing.stderr)
    for fmt in ("csv", "parquet"):
        exported = invoke("export", "p.sqlite", "--format", fmt, "--out", f"out-{fmt}")
        assert exported.exit_code == 0, exported.output
        assert sorted(p.name for p in (in_tmp / f"out-{fmt}").iterdir()) == sorted(
            f"{t}.{fmt}" for t in ("matches", "rounds", "decisions")
        )
    rounds = pd.read_csv(in_tmp / "out-csv" / "rounds.csv")
    assert list(rounds["round"]) == [1, 2, 3, 4]
    compat = invoke("export", "p.sqlite", "--format", "advgamebench", "--out", "orig")
    assert compat.exit_code == 0, compat.output
    assert any(p.suffix == ".csv" for p in (in_tmp / "orig").rglob("*"))


def test_play_with_a_scripted_model_shows_prompts_and_replies(in_tmp):
    register_script("cli-echo", [json.dumps({"defenders": [{"name": "RockBeetle", "tier": "Bronze"}]})] * 10)
    result = invoke(
        "play",
        "-g",
        "battle_card",
        "--a",
        "scripted/cli-echo",
        "--b",
        "bot/greedy",
        "--rounds",
        "2",
        "--show-prompts",
    )
    assert result.exit_code == 0, result.output
    assert "prompt" in result.stdout and "RockBeetle" in result.stdout
    assert "You are playing Battle Card" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--game", "chess", "--a", "bot/greedy", "--b", "bot/random"], "unknown game 'chess'"),
        (["--game", "battle_card", "--a", "acme/x", "--b", "bot/random"], "unknown model provider 'acme'"),
        (["--game", "battle_card", "--a", "bot/greedy", "--b", "bot/wizard"], "unknown bot 'wizard'"),
        (["--game", "battle_card", "--a", "bot/greedy", "--b", "bot/random", "--rounds", "0"], "rounds"),
        (
            ["--game", "battle_card", "--a", "bot/greedy", "--b", "bot/random", "--feedback", "loud"],
            "feedback",
        ),
    ],
)
def test_play_bad_input_exit_2(in_tmp, args, message):
    result = invoke("play", *args, "--store", "p.sqlite")
    assert result.exit_code == 2
    assert message in one_line(result.stderr)
    assert not (in_tmp / "p.sqlite").exists()


def test_export_and_show_of_a_missing_store_exit_2(in_tmp):
    for args in (["export", "nope.sqlite", "--out", "o"], ["show", "nope.sqlite"]):
        result = invoke(*args)
        assert result.exit_code == 2
        assert "no such store" in one_line(result.stderr)
    assert not (in_tmp / "nope.sqlite").exists()


@pytest.mark.slow
def test_stratagem_run_without_arguments_plays_the_bots_preset(tmp_path):
    """The README's offline main command, through the installed entry point."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli.app", "run", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    store = tmp_path / "results" / "bots.sqlite"
    assert store.exists()
    show = subprocess.run(
        [sys.executable, "-m", "harness.cli.app", "show", str(store)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert show.returncode == 0
    assert show.stdout.count("finished") == 36


def test_a_deliberate_non_input_error_is_one_line_and_exit_1(capsys):
    import typer

    from games.core.errors import StratagemError
    from harness.cli.run_cmd import _guarded

    def lost() -> int:
        raise StratagemError("a Ray worker failed (RayActorError):\n  the actor died")

    with pytest.raises(typer.Exit) as exit_info:
        _guarded(lost)
    assert exit_info.value.exit_code == 1
    assert one_line(capsys.readouterr().err) == "error: a Ray worker failed (RayActorError): the actor died"
