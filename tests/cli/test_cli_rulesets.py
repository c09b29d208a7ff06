"""Choosing a ruleset from the command line (``GAME@ruleset=R``) and what a store of several rulesets does.

Bad rulesets exit 2 with one line and write nothing; v1 and v2 matches never pool (the store guard, the
metrics and the gate refuse); the advgamebench export holds v1 only.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli.app import app, main

runner = CliRunner()
PLAY = ["--a", "bot/greedy", "--b", "bot/random", "--rounds", "2", "--seed", "1"]


def invoke(*args: str):
    return runner.invoke(app, list(args))


def entry_point(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """Run ``stratagem ARGS`` through the real entry point (user errors: one line, exit 2)."""
    monkeypatch.setattr(sys, "argv", ["stratagem", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out + out.err


def one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, text
    return lines[0]


def stored(store: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(store)
    try:
        return [tuple(r) for r in con.execute("SELECT game, ruleset FROM matches ORDER BY ruleset")]
    finally:
        con.close()


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def play(game: str, store: str, *extra: str):
    return invoke("play", "--game", game, *PLAY, "--store", store, *extra)


def mixed_store(path: str) -> None:
    """One battle card match of each ruleset in one store (mixing needs --allow-mixed)."""
    assert play("battle_card@ruleset=v1", path).exit_code == 0
    assert play("battle_card", path, "--allow-mixed").exit_code == 0
    assert stored(Path(path)) == [("battle_card", "v1"), ("battle_card", "v2")]


@pytest.mark.parametrize(("game", "ruleset"), [("battle_card@ruleset=v1", "v1"), ("battle_card", "v2")])
def test_play_takes_a_ruleset_and_stores_it(in_tmp, game, ruleset):
    result = play(game, "p.sqlite")
    assert result.exit_code == 0, result.output
    assert f"battle_card (ruleset {ruleset})" in result.stdout
    assert stored(in_tmp / "p.sqlite") == [("battle_card", ruleset)]
    listing = invoke("show", "p.sqlite")
    header, row = (line.split("\t") for line in listing.stdout.splitlines()[:2])
    assert header[:3] == ["match_id", "game", "ruleset"] and row[1:3] == ["battle_card", ruleset]
    match_id = row[0]
    replay = invoke("show", "p.sqlite", match_id)
    assert replay.exit_code == 0 and f"(ruleset {ruleset})" in replay.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["play", "--game", "battle_card@ruleset=v9", *PLAY, "--store", "p.sqlite"],
        ["play", "--game", "battle_card@ruleset=", *PLAY, "--store", "p.sqlite"],
        ["check", "--candidate", "bot/search", "--baseline", "bot/random", "--panel", "bot/greedy",
         "--game", "battle_card@ruleset=v9", "--store", "p.sqlite"],
    ],
)  # fmt: skip
def test_a_bad_ruleset_is_exit_2_one_line_nothing_written(in_tmp, monkeypatch, capsys, args):
    code, out = entry_point(monkeypatch, capsys, *args)
    assert code == 2
    assert "of game battle_card; known rulesets: v1, v2" in one_line(out)
    assert "Traceback" not in out
    assert not (in_tmp / "p.sqlite").exists()


def test_run_with_a_bad_ruleset_in_yaml_is_exit_2_one_line(in_tmp):
    (in_tmp / "exp.yaml").write_text(
        "games:\n  - {name: battle_card, ruleset: v7}\nmodels: [bot/random, bot/greedy]\nstore: s.sqlite\n"
    )
    result = invoke("run", "exp.yaml")
    assert result.exit_code == 2
    assert one_line(result.stderr) == (
        "error: exp.yaml:2: games.0.ruleset: unknown ruleset 'v7' of game battle_card; known rulesets: v1, v2"
    )
    assert not (in_tmp / "s.sqlite").exists()


def test_run_plays_the_ruleset_the_yaml_names(in_tmp):
    (in_tmp / "exp.yaml").write_text(
        "games: [{name: battle_card, ruleset: v1}, elemental_duel]\nmodels: [bot/random, bot/greedy]\n"
        "settings: [{side: A, first_reviser: A}]\nprotocol: {rounds: 1}\nstore: s.sqlite\n"
    )
    assert invoke("run", "exp.yaml", "--quiet").exit_code == 0
    assert sorted(stored(in_tmp / "s.sqlite")) == [("battle_card", "v1"), ("elemental_duel", "v2")]


def test_the_advgamebench_dry_run_is_unchanged():
    result = invoke("run", "advgamebench", "--dry-run", "--store", "/nonexistent/a.sqlite")
    assert result.exit_code == 0
    assert result.stdout.startswith("advgamebench: 432 matches (3 fingerprints), 0 already in")


def test_v1_and_v2_matches_never_pool(in_tmp, monkeypatch, capsys):
    assert play("battle_card@ruleset=v1", "p.sqlite").exit_code == 0
    # The same coordinates under another ruleset: the store guard refuses, naming both rulesets.
    refused = play("battle_card", "p.sqlite")
    assert refused.exit_code == 2
    assert "the ruleset changed (stored: v1, this run: v2)" in one_line(refused.stderr)
    assert play("battle_card", "p.sqlite", "--allow-mixed").exit_code == 0
    # Reports refuse to pool the two fingerprints in one (model, game) cell.
    from metrics.errors import MixedFingerprintError
    from metrics.load import check_fingerprints, load_store

    with pytest.raises(MixedFingerprintError, match="mixes matches of rulesets v1, v2 with fingerprints"):
        check_fingerprints(load_store(in_tmp / "p.sqlite"))
    code, out = entry_point(monkeypatch, capsys, "report", "p.sqlite", "--out", "rep")
    assert code == 2 and "mixes matches of rulesets v1, v2" in one_line(out)


def test_the_gate_refuses_a_baseline_store_of_another_ruleset(in_tmp, monkeypatch, capsys):
    common = ["check", "--candidate", "bot/search", "--panel", "bot/greedy", "--rounds", "2",
              "--settings", "sides", "--max-matches", "4", "--quiet"]  # fmt: skip
    made, out = entry_point(
        monkeypatch, capsys, *common, "--baseline", "bot/random", "--game", "battle_card@ruleset=v1",
        "--store", "v1.sqlite",
    )  # fmt: skip
    assert made in (0, 1, 3), out
    code, out = entry_point(
        monkeypatch, capsys, *common, "--baseline", "v1.sqlite", "--baseline-model", "bot/random",
        "--game", "battle_card",
    )  # fmt: skip
    assert code == 2
    assert "ruleset v1 differs from the check's v2" in one_line(" ".join(out.split()))
    # Naming the store's ruleset makes the two comparable again.
    code, out = entry_point(
        monkeypatch, capsys, *common, "--baseline", "v1.sqlite", "--baseline-model", "bot/random",
        "--game", "battle_card@ruleset=v1",
    )  # fmt: skip
    assert code in (0, 1, 3), out


def test_advgamebench_export_holds_v1_only_and_says_what_it_left_out(in_tmp):
    mixed_store("m.sqlite")
    result = invoke("export", "m.sqlite", "--format", "advgamebench", "--out", "orig")
    assert result.exit_code == 0, result.output
    assert one_line(result.stderr) == (
        "left out 1 match (1 of ruleset v2): the advgamebench export holds ruleset v1 only"
    )
    files = sorted((in_tmp / "orig").rglob("*.csv"))
    assert files and all(p.parts[-4] == "battle_card" for p in files)
    # Each file holds the v1 match only: R + 1 = 3 records, plus the header.
    assert {len(p.read_text().splitlines()) for p in files} == {4}
    # A v1-only store exports exactly as before, without a note.
    assert play("battle_card@ruleset=v1", "v1.sqlite").exit_code == 0
    clean = invoke("export", "v1.sqlite", "--format", "advgamebench", "--out", "orig1")
    assert clean.exit_code == 0 and clean.stderr.strip() == ""
    assert [p.read_bytes() for p in sorted((in_tmp / "orig1").rglob("*.csv"))] == [
        p.read_bytes() for p in files
    ]


def test_advgamebench_export_without_v1_matches_is_exit_2(in_tmp):
    assert play("battle_card", "v2.sqlite").exit_code == 0
    result = invoke("export", "v2.sqlite", "--format", "advgamebench", "--out", "orig")
    assert result.exit_code == 2
    assert "no ruleset v1 matches to export (it holds 1 of ruleset v2)" in one_line(result.stderr)
    assert not (in_tmp / "orig").exists()
    # The other formats export every ruleset.
    assert invoke("export", "v2.sqlite", "--format", "csv", "--out", "tidy").exit_code == 0
