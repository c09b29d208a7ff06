"""``stratagem sweep``: a tiny bot sweep played into a store, resumed, dry-run, refused when invalid."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli.app import app
from harness.experiments import JobPlan, SweepPlan, load_sweep_experiment, merge, parse_vary_option

runner = CliRunner()

BUDGET = "games.battle_card.params.defenders_budget"
TINY = f"""\
name: tiny
games: [battle_card]
models: [bot/random, bot/greedy]
settings: [{{side: A, first_reviser: A}}, {{side: B, first_reviser: B}}]
protocol: {{rounds: 2}}
seeds: [0]
store: tiny.sqlite
sweep:
  vary:
    {BUDGET}: [10, 20]
    protocol.rounds: [2, 3]
"""
PLAIN = """\
name: plain
games: [battle_card]
models: [bot/random, bot/greedy]
settings: [{side: A, first_reviser: A}]
protocol: {rounds: 2}
seeds: [0]
"""


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.yaml").write_text(TINY)
    (tmp_path / "plain.yaml").write_text(PLAIN)
    return tmp_path


def rows(store: Path) -> list[dict]:
    con = sqlite3.connect(store)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM matches ORDER BY match_id")]
    finally:
        con.close()


def export(store: Path, out: Path) -> bytes:
    result = invoke("export", str(store), "--out", str(out), "--format", "csv")
    assert result.exit_code == 0, result.output
    return (out / "matches.csv").read_bytes()


def test_a_sweep_plays_every_point_into_one_store_with_the_sweep_key(tiny):
    result = invoke("sweep", "tiny.yaml", "--quiet")
    assert result.exit_code == 0, result.output
    matches = rows(tiny / "tiny.sqlite")
    assert len(matches) == 8  # 4 points x 2 settings
    keys = [json.loads(m["settings_json"])["sweep"] for m in matches]
    assert {k["index"] for k in keys} == {0, 1, 2, 3}
    by_point: dict[int, list[dict]] = {}
    for m, k in zip(matches, keys, strict=True):
        by_point.setdefault(k["index"], []).append(m)
        assert set(k) == {"point", "index", "base"}
        assert m["rounds"] == k["point"]["protocol.rounds"]
        assert json.loads(m["params_json"])["defenders_budget"] == k["point"][BUDGET]
    assert {i: len(ms) for i, ms in by_point.items()} == {0: 2, 1: 2, 2: 2, 3: 2}
    points = {k["index"]: k["point"] for k in keys}
    assert points == {
        0: {BUDGET: 10, "protocol.rounds": 2},
        1: {BUDGET: 10, "protocol.rounds": 3},
        2: {BUDGET: 20, "protocol.rounds": 2},
        3: {BUDGET: 20, "protocol.rounds": 3},
    }
    bases = {k["index"] for k in keys if k["base"]}
    assert bases == {2}  # budget 20 (the default) and rounds 2 (the file's)
    fps = [{m["fingerprint"] for m in ms} for _, ms in sorted(by_point.items())]
    assert all(len(f) == 1 for f in fps) and len(set().union(*fps)) == 4
    assert len({m["match_id"] for m in matches}) == 8


def test_a_rerun_plays_nothing(tiny):
    assert invoke("sweep", "tiny.yaml", "--quiet").exit_code == 0
    before = rows(tiny / "tiny.sqlite")
    again = invoke("sweep", "tiny.yaml")
    assert again.exit_code == 0
    assert "0 played now, 8 already stored" in again.stderr
    assert rows(tiny / "tiny.sqlite") == before


def test_max_matches_then_resume_gives_the_full_sweep(tiny):
    partial = invoke("sweep", "tiny.yaml", "--max-matches", "3")
    assert partial.exit_code == 0, partial.output
    assert "stopped at --max-matches 3: 5 to play" in partial.stderr
    assert len(rows(tiny / "tiny.sqlite")) == 3
    dry = invoke("sweep", "tiny.yaml", "--dry-run")
    assert dry.stdout.splitlines()[1:3] == [
        f"  point 0: {BUDGET}=10 protocol.rounds=2: 2 matches, 2 stored",
        f"  point 1: {BUDGET}=10 protocol.rounds=3: 2 matches, 1 stored",
    ]
    assert invoke("sweep", "tiny.yaml", "--quiet").exit_code == 0
    resumed = export(tiny / "tiny.sqlite", tiny / "resumed")
    assert invoke("sweep", "tiny.yaml", "--quiet", "--store", "fresh.sqlite").exit_code == 0
    assert export(tiny / "fresh.sqlite", tiny / "fresh") == resumed


def test_the_dry_run_prints_every_point_and_the_total_and_writes_nothing(tiny):
    result = invoke("sweep", "tiny.yaml", "--dry-run", "--max-matches", "5")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "tiny: sweep of 4 points (grid) → tiny.sqlite",
        f"  point 0: {BUDGET}=10 protocol.rounds=2: 2 matches, 0 stored",
        f"  point 1: {BUDGET}=10 protocol.rounds=3: 2 matches, 0 stored",
        f"  point 2 (base): {BUDGET}=20 protocol.rounds=2: 2 matches, 0 stored",
        f"  point 3: {BUDGET}=20 protocol.rounds=3: 2 matches, 0 stored",
        "total: 8 matches in 4 points (4 fingerprints), 0 already in tiny.sqlite, 8 to play"
        " (5 with --max-matches 5)",
    ]
    assert not (tiny / "tiny.sqlite").exists()


def test_zip_against_grid_and_command_line_overrides(tiny):
    zipped = invoke("sweep", "tiny.yaml", "--mode", "zip", "--dry-run")
    assert zipped.exit_code == 0, zipped.output
    assert zipped.stdout.splitlines()[1:3] == [
        # the file's own values (budget 20, rounds 2) are no point of the zip: point 0 is the base
        f"  point 0 (base): {BUDGET}=10 protocol.rounds=2: 2 matches, 0 stored",
        f"  point 1: {BUDGET}=20 protocol.rounds=3: 2 matches, 0 stored",
    ]
    # a --vary of a path the file varies replaces its values; a new path goes after
    more = invoke(
        "sweep",
        "tiny.yaml",
        "--vary",
        "protocol.rounds=4",
        "--vary",
        "protocol.feedback=outcome,detailed",
        "--dry-run",
    )
    assert more.stdout.splitlines()[1] == (
        f"  point 0 (base): {BUDGET}=10 protocol.rounds=4 protocol.feedback=outcome: 2 matches, 0 stored"
    )
    assert "in 4 points" in more.stdout.splitlines()[-1]


def test_a_sweep_of_command_line_options_only_defaults_to_a_store_of_its_own(tiny):
    result = invoke("sweep", "plain.yaml", "--vary", "protocol.rounds=1,2", "--quiet")
    assert result.exit_code == 0, result.output
    assert len(rows(tiny / "results" / "plain-sweep.sqlite")) == 2
    assert not (tiny / "results" / "plain.sqlite").exists()


INVALID = {
    "below cheapest unit": (
        ["--vary", f"{BUDGET}=0"],
        f"{BUDGET} = 0: a budget below the cheapest Defenders entry (cost 1) buys nothing;"
        " allowed: an integer >= 1",
    ),
    "unknown parameter": (
        ["--vary", "games.battle_card.params.budget_a=1"],
        "unknown parameter 'budget_a'; known: defenders_budget, invaders_budget, max_units",
    ),
    "wrong type": (["--vary", "games.battle_card.params.max_units=lots"], "allowed: an integer >= 0"),
    "unknown path": (["--vary", "budget=1"], "budget: unknown path"),
    "game not played": (["--vary", "games.tower_defense.ruleset=v1"], "not one of this experiment's games"),
    "bad ruleset": (["--vary", "games.battle_card.ruleset=v7"], "unknown ruleset 'v7'"),
    "rounds": (["--vary", "protocol.rounds=101"], "protocol.rounds = 101: allowed: an integer 1..100"),
    "feedback": (["--vary", "protocol.feedback=full"], "allowed: outcome, detailed"),
    "zip lengths": (
        ["--mode", "zip", "--vary", "protocol.rounds=2,3,4"],
        "zip needs value lists of one length",
    ),
    "empty list": (["--vary", "protocol.rounds="], "no values"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_sweep_exits_2_with_one_line_and_writes_nothing(tiny, case):
    args, message = INVALID[case]
    before = sorted(p.name for p in tiny.iterdir())
    result = invoke("sweep", "tiny.yaml", *args)
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tiny.iterdir()) == before


def test_nothing_to_sweep_and_run_on_a_sweep_file_exit_2(tiny):
    none = invoke("sweep", "plain.yaml")
    assert none.exit_code == 2 and "nothing to sweep" in none.stderr
    run = invoke("run", "tiny.yaml")
    assert run.exit_code == 2
    assert (
        "tiny.yaml:8: sweep: this experiment is a sweep; play it with stratagem sweep tiny.yaml" in run.stderr
    )
    assert not (tiny / "tiny.sqlite").exists()


def test_a_sweep_is_refused_a_store_of_other_results(tiny):
    assert invoke("run", "plain.yaml", "--store", "x.sqlite", "--quiet").exit_code == 0
    result = invoke("sweep", "tiny.yaml", "--store", "x.sqlite")
    assert result.exit_code == 2
    assert "holds results of another experiment or sweep" in result.stderr
    assert invoke("sweep", "tiny.yaml", "--store", "x.sqlite", "--allow-mixed", "--quiet").exit_code == 0
    assert len(rows(tiny / "x.sqlite")) == 9


def test_an_ordinary_run_stores_what_it_always_did(tiny):
    assert invoke("run", "plain.yaml", "--store", "plain.sqlite", "--quiet").exit_code == 0
    (match,) = rows(tiny / "plain.sqlite")
    assert "sweep" not in json.loads(match["settings_json"])
    config, _ = load_sweep_experiment("plain.yaml")
    (job,) = list(JobPlan(config))
    assert (match["match_id"], match["fingerprint"], match["settings_json"]) == (
        job.match_id,
        job.fingerprint,
        job.settings_json(),
    )
    # the base point of a sweep is a different match: it carries its sweep key
    swept = SweepPlan(config, merge(None, [parse_vary_option("protocol.rounds=2")], None))
    assert next(iter(swept)).match_id != job.match_id


def test_the_store_is_the_same_whatever_the_hash_seed(tiny):
    outs = []
    for seed in ("0", "4242"):
        store = tiny / f"h{seed}.sqlite"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        code = "from harness.cli.app import main; main()"
        args = ["sweep", "tiny.yaml", "--quiet", "--store", str(store)]
        subprocess.run([sys.executable, "-c", code, *args], check=True, env=env, cwd=tiny)
        outs.append(export(store, tiny / f"out{seed}"))
    assert outs[0] == outs[1]
    assert outs[0].count(b"sweep") == 8
