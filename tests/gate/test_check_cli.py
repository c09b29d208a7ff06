"""``stratagem check`` through the CLI: exit codes, --json, and the replay-only cassette check."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from harness.cli.app import main
from harness.gate import selfcheck
from harness.models.settings import LOCAL_BASE_URL_ENV

CASSETTE = Path(__file__).parent / "cassettes" / "harness.sqlite"
BOTS = ["--panel", "bot/greedy", "--game", "battle_card", "--rounds", "3", "--settings", "sides", "--quiet"]


def cli(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["stratagem", "check", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out + out.err


@pytest.fixture
def offline(monkeypatch):
    # Any real call to the served models would go to a closed port: replay must not need it.
    monkeypatch.setenv(LOCAL_BASE_URL_ENV, "http://127.0.0.1:9/v1")


@pytest.fixture
def cassette(tmp_path) -> Path:
    # A copy: SQLite may add -wal/-shm files next to the cassette it opens.
    path = tmp_path / "cassette.sqlite"
    shutil.copyfile(CASSETTE, path)
    return path


# ---------------------------------------------------------------- exit codes and --json


def test_pass_and_fail_exit_codes_and_json(monkeypatch, capsys, tmp_path):
    code, out = cli(
        monkeypatch, capsys, "--candidate", "bot/search", "--baseline", "bot/random", *BOTS,
        "--json", str(tmp_path / "v.json"),
    )  # fmt: skip
    assert code == 0, out
    assert "PASS" in out and "stratagem check" in out
    doc = json.loads((tmp_path / "v.json").read_text())
    assert doc["verdict"] == "pass" and doc["exit_code"] == 0
    row = doc["table"][0]
    assert row["scope"] == "all" and row["metric"] == "wr"
    assert row["difference"] == pytest.approx(row["candidate"] - row["baseline"])
    lo, hi = row["interval"]
    assert lo > -0.1 and lo <= row["difference"] <= hi
    assert doc["matches_used"] == doc["pairs_used"] * 4
    code, out = cli(monkeypatch, capsys, "--candidate", "bot/random", "--baseline", "bot/search", *BOTS)
    assert code == 1 and "FAIL" in out


def test_inconclusive_exit_code(monkeypatch, capsys):
    code, out = cli(
        monkeypatch, capsys, "--candidate", "bot/search@sims=1", "--baseline", "bot/search", *BOTS,
        "--max-matches", "8",
    )  # fmt: skip
    assert code == 3 and "INCONCLUSIVE" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metric", "orr"], "cannot be gated"),
        (["--margin", "1.5"], "margin must be in (0, 1)"),
        (["--alpha", "0"], "alpha must be in (0, 0.5)"),
        (["--max-matches", "3"], "less than one pair"),
        (["--game", "chess"], "unknown game 'chess'"),
        (["--settings", "all"], "unknown --settings"),
        (["--panel", " , "], "--panel is empty"),
        (["--cache", "replay-only", "--cache-path", "/nonexistent/c.sqlite"], "needs a cassette"),
    ],
)
def test_bad_input_is_exit_2_with_one_clear_line(monkeypatch, capsys, args, message):
    code, out = cli(
        monkeypatch, capsys, "--candidate", "bot/search", "--baseline", "bot/random", *BOTS, *args
    )
    assert code == 2
    assert message in out
    assert "Traceback" not in out


def test_a_missing_baseline_store_is_exit_2(monkeypatch, capsys, tmp_path):
    code, out = cli(
        monkeypatch, capsys, "--candidate", "bot/search", "--baseline", str(tmp_path / "nope.sqlite"), *BOTS
    )
    assert code == 2 and "no results store" in out


def test_baseline_store_through_the_cli(monkeypatch, capsys, tmp_path):
    store = tmp_path / "last-night.sqlite"
    code, _ = cli(monkeypatch, capsys, "--candidate", "bot/search", "--baseline", "bot/random", *BOTS,
                  "--store", str(store))  # fmt: skip
    assert code == 0
    # The store holds bot/search, bot/random and the panel: which one is the baseline must be said.
    code, out = cli(monkeypatch, capsys, "--candidate", "bot/search@sims=8", "--baseline", str(store), *BOTS)
    assert code == 2 and "pass --baseline-model" in out
    code, out = cli(monkeypatch, capsys, "--candidate", "bot/search", "--baseline", str(store),
                    "--baseline-model", "bot/random", *BOTS, "--json", str(tmp_path / "v.json"))  # fmt: skip
    assert code == 0, out
    doc = json.loads((tmp_path / "v.json").read_text())
    assert doc["baseline"] == "bot/random" and doc["baseline_source"] == str(store)
    assert doc["matches_reused"] >= doc["matches_played"] > 0


# ---------------------------------------------------------------- the replay-only cassette check


def _llm_decisions(store: Path) -> list[tuple[int, int]]:
    con = sqlite3.connect(store)
    try:
        return con.execute("SELECT cache_hit, attempts FROM decisions WHERE model LIKE 'local/%'").fetchall()
    finally:
        con.close()


def test_replay_only_check_runs_offline_and_gives_the_same_verdict_twice(offline, cassette, tmp_path):
    code1, doc1 = selfcheck.run_self_check(cassette, mode="replay-only", store=tmp_path / "one.sqlite")
    code2, doc2 = selfcheck.run_self_check(cassette, mode="replay-only", store=tmp_path / "two.sqlite")
    played = doc1["matches_played"]
    print(f"\n[replay-only self-check] verdict {doc1['verdict']} (exit {code1}), {played} matches")
    assert (code1, doc1) == (code2, doc2)
    assert doc1["verdict"] == "pass" and code1 == 0
    assert doc1["matches_played"] > 0
    # Zero API calls: every model decision was answered from the cassette.
    decisions = _llm_decisions(tmp_path / "one.sqlite")
    assert decisions and all(hit == 1 and attempts == 0 for hit, attempts in decisions)


def test_a_cassette_miss_is_exit_2(offline, cassette, monkeypatch, capsys):
    args = list(selfcheck.SELF_CHECK_ARGS)
    args[args.index("--game") + 1] = "elemental_duel"  # never recorded
    code, out = cli(monkeypatch, capsys, *args, "--cache", "replay-only", "--cache-path", str(cassette))
    assert code == 2
    assert "cassette miss" in out and "re-record" in out


@pytest.mark.slow
def test_recording_against_the_loopback_server_reproduces_the_committed_cassette(tmp_path):
    # Also catches a stale committed cassette: if the harness changed what it asks, re-record it.
    code, recorded = selfcheck.record(tmp_path / "fresh.sqlite")
    assert (tmp_path / "fresh.sqlite").stat().st_size < 200_000
    shutil.copyfile(CASSETTE, tmp_path / "committed.sqlite")
    code_c, committed = selfcheck.run_self_check(tmp_path / "committed.sqlite", mode="replay-only")
    assert (code, recorded) == (code_c, committed)
    con = sqlite3.connect(tmp_path / "fresh.sqlite")
    try:
        n = con.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
        requests = [json.loads(r[0]) for r in con.execute("SELECT request_json FROM responses")]
    finally:
        con.close()
    assert n > 0
    assert all("content" not in m and len(m["sha256"]) == 64 for r in requests for m in r["messages"])


# ---------------------------------------------------------------- the example workflow


def _workflow() -> dict:
    import yaml

    path = Path(__file__).parents[2] / ".github" / "workflows" / "stratagem-check.yml"
    return yaml.safe_load(path.read_text())


def _check_args(step_run: str) -> list[str]:
    import shlex

    line = next(part for part in step_run.replace("\\\n", " ").splitlines() if "stratagem check" in part)
    return shlex.split(line.split("stratagem check", 1)[1])


def test_the_workflow_replays_exactly_the_recorded_self_check():
    steps = _workflow()["jobs"]["harness-replay"]["steps"]
    run = next(s["run"] for s in steps if "stratagem check" in s.get("run", ""))
    args = _check_args(run)
    expected = [
        *selfcheck.SELF_CHECK_ARGS,
        "--cache",
        "replay-only",
        "--cache-path",
        str(selfcheck.DEFAULT_CASSETTE),
    ]
    assert args[: len(expected)] == expected


def test_the_model_gate_takes_keys_from_repository_secrets_only():
    job = _workflow()["jobs"]["model-gate"]
    step = next(s for s in job["steps"] if "stratagem check" in s.get("run", ""))
    assert step["env"]["OPENAI_API_KEY"] == "${{ secrets.OPENAI_API_KEY }}"
    assert step["env"]["ANTHROPIC_API_KEY"] == "${{ secrets.ANTHROPIC_API_KEY }}"
    args = _check_args(step["run"])
    assert "--candidate" in args and "--baseline" in args and "--json" in args
