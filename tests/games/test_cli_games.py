"""``stratagem games`` and ``stratagem sim``: run as a user would, in a subprocess."""

import json
import subprocess
import sys

import pytest

from games import get_game


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.app", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def test_games_lists_all_three():
    out = run("games")
    assert out.returncode == 0
    for name in ("tower_defense", "battle_card", "elemental_duel"):
        assert name in out.stdout


@pytest.mark.parametrize("name", ["tower_defense", "battle_card", "elemental_duel"])
def test_games_show_rules_schema_example(name):
    game = get_game(name)
    for side in game.sides:
        assert (
            run("games", "show", name, "--side", side.name).stdout.strip()
            == game.rules_text(side.key).strip()
        )
        assert json.loads(
            run("games", "show", name, "--side", side.key, "--schema").stdout
        ) == game.plan_schema(side.key)
        assert json.loads(run("games", "show", name, "--side", side.plan_key, "--example").stdout) == (
            game.example_plan(side.key)
        )


def test_games_lists_every_ruleset_and_marks_the_default():
    out = run("games")
    assert out.returncode == 0
    rows = [line for line in out.stdout.splitlines() if "battle_card" in line]
    assert any(" v1 " in r for r in rows) and any("v2 (default)" in r for r in rows)


@pytest.mark.parametrize("ruleset", ["v1", "v2"])
def test_games_show_and_sim_take_a_ruleset(ruleset):
    game = get_game("tower_defense", ruleset=ruleset)
    out = run("games", "show", f"tower_defense@ruleset={ruleset}", "--side", "B")
    assert out.returncode == 0 and out.stdout.strip() == game.rules_text("B").strip()
    schema = run("games", "show", f"tower_defense@ruleset={ruleset},board_rows=3", "--schema")
    rows3 = get_game("tower_defense", {"board_rows": 3}, ruleset=ruleset)
    assert json.loads(schema.stdout) == rows3.plan_schema("A")


def test_games_show_defaults_to_v2():
    assert get_game("battle_card").ruleset == "v2"
    expected = get_game("battle_card", ruleset="v2").rules_text("A").strip()
    assert run("games", "show", "battle_card").stdout.strip() == expected


@pytest.mark.parametrize(
    "args",
    [
        ("games", "show", "battle_card@ruleset=v9"),
        ("sim", "battle_card@ruleset=v9", "a.json", "b.json"),
        ("sim", "battle_card@ruleset=", "--batch", "x.jsonl"),
    ],
)
def test_an_unknown_ruleset_is_exit_2_with_one_line(args):
    out = run(*args)
    assert out.returncode == 2
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert "ruleset" in lines[0] and "of game battle_card; known rulesets: v1, v2" in lines[0]


def test_games_show_unknown_names_exit_2():
    out = run("games", "show", "chess")
    assert out.returncode == 2 and "unknown game 'chess'; known: battle_card" in out.stderr
    out = run("games", "show", "battle_card", "--side", "pirate")
    assert out.returncode == 2 and "unknown side 'pirate'" in out.stderr


def test_sim_reports_violations_and_outcome(tmp_path):
    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    # Spec T12: the Bomb does not exist in v1, so only the demons remain on the board.
    a.write_text(json.dumps({"humans": [{"name": "Bomb", "x": 6, "y": 2, "spawn_time": 6670}]}))
    b.write_text(json.dumps({"demons": [{"name": "GreatDemon", "y": r, "spawn_time": 0} for r in (2, 1, 3)]}))
    out = run("sim", "tower_defense@ruleset=v1", str(a), str(b), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["winner"] == "B"
    assert doc["cost_a"] == 0 and doc["cost_b"] == 600
    assert [v["code"] for v in doc["violations_a"]] == ["unknown_unit"]
    assert doc["summary"]["end_tick"] == 43 and doc["summary"]["lost_row"] == 2
    human = run("sim", "tower_defense@ruleset=v1", str(a), str(b))
    assert "unknown_unit" in human.stdout and "winner: B (Demon)" in human.stdout


def test_sim_unreadable_files_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    out = run("sim", "battle_card", str(bad), str(bad))
    assert out.returncode == 2 and "is not valid JSON (line 1" in out.stderr
    out = run("sim", "battle_card", str(tmp_path / "missing.json"), str(bad))
    assert out.returncode == 2 and "cannot read" in out.stderr


def test_sim_batch_jsonl(tmp_path):
    game = get_game("battle_card", ruleset="v1")
    pairs = tmp_path / "pairs.jsonl"
    lines = [
        json.dumps({"id": "ex", "plan_a": game.example_plan("A"), "plan_b": game.example_plan("B")}),
        "this line is not json",
        json.dumps({"id": "swap", "plan_a": game.example_plan("B"), "plan_b": game.greedy_plan("B")}),
    ]
    pairs.write_text("\n".join(lines) + "\n")
    out = run("sim", "battle_card@ruleset=v1", "--batch", str(pairs))
    assert out.returncode == 2  # one bad line; the others are still answered
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 3
    assert rows[0]["id"] == "ex" and rows[0]["winner"] == "B"  # spec B01: simultaneous → invaders
    assert rows[0]["cost_a"] == 1 and rows[0]["violations_a"] == []
    assert set(rows[0]) == {"id", "winner", "violations_a", "violations_b", "cost_a", "cost_b", "summary"}
    assert rows[1] == {"line": 2, "error": rows[1]["error"]}
    assert rows[2]["violations_a"][0]["code"] == "missing_plan_key" and rows[2]["winner"] == "B"
