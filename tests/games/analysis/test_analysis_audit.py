"""``run_audit`` and ``stratagem audit``: toy games solved by hand, v1's known bias, determinism, the CLI."""

import json
import os
import subprocess
import sys

import pytest
from toy_games import DominantAce, RockPaperScissors

from games.analysis.audit import audit, run_audit
from games.registry import get_game

REQUIRED_KEYS = {
    "game", "ruleset", "params", "seed", "sims", "population", "value", "a_win_equiv", "support",
    "equilibrium", "unbeaten", "beats_95", "uniform_a_win", "bot_exploitability", "search_distinct",
}  # fmt: skip

#: The v1 elemental duel's known solution (issue 11): Dark final_announcement, alone, costs 4 and always
#: deals more than a defender's 100 HP before the defender acts.
V1_DUEL_SOLUTION = {"invaders": [{"element": "Dark", "skills": ["final_announcement"]}]}


def test_rock_paper_scissors_value_zero_thirds_on_three_plans():
    report = run_audit(RockPaperScissors(), seed=0, size="small")
    assert set(report) >= REQUIRED_KEYS
    assert report["value"] == pytest.approx(0, abs=1e-6)
    assert report["a_win_equiv"] == pytest.approx(0.5, abs=1e-6)
    assert report["population"] == {"A": 3, "B": 3}
    assert report["support"] == {"A": 3, "B": 3}
    for side in ("A", "B"):
        weights = [e["weight"] for e in report["equilibrium"][side]]
        assert weights == pytest.approx([1 / 3] * 3, abs=1e-6)
        assert report["unbeaten"][side] == []


def test_a_dominant_plan_is_reported_unbeaten():
    report = run_audit(DominantAce(), seed=0, size="small")
    assert report["value"] == pytest.approx(1.0)
    assert [u["plan"] for u in report["unbeaten"]["A"]] == [{"rows": [{"move": "ace"}]}]
    assert report["unbeaten"]["A"][0]["beats"] == 1.0
    assert report["beats_95"]["A"] == 1
    assert report["equilibrium"]["A"][0]["plan"] == {"rows": [{"move": "ace"}]}
    assert report["bot_exploitability"]["greedy"]["B"] == 1.0  # greedy B (rock) is beaten by paper


def test_the_v1_duel_is_reported_solved_by_its_known_invader_plan():
    result = audit(get_game("elemental_duel", None, "v1"), seed=0, size="small")
    report = result.report
    assert report["ruleset"] == "v1"
    unbeaten_b = [u["plan"] for u in report["unbeaten"]["B"]]
    assert V1_DUEL_SOLUTION in unbeaten_b
    assert report["value"] == -1.0 and report["a_win_equiv"] == 0.0
    assert result.matrix.shape == (report["population"]["A"], report["population"]["B"])


AUDIT_SCRIPT = """
import json
from games.analysis.audit import run_audit
from games.registry import get_game
print(json.dumps(run_audit(get_game("elemental_duel", None, "v1"), seed=3, size="small")))
"""


def test_the_same_seed_gives_the_same_report_under_any_hash_seed():
    outs = []
    for hash_seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", AUDIT_SCRIPT], capture_output=True, text=True, env=env, timeout=300
        )
        assert done.returncode == 0, done.stderr
        outs.append(done.stdout)
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["seed"] == 3


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.app", "audit", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_cli_writes_json_markdown_and_heatmap(tmp_path):
    out = tmp_path / "aud"
    done = run_cli("elemental_duel", "--ruleset", "v1", "--size", "small", "--quiet", "--out", str(out))
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "audit.json").read_text())
    assert set(report) >= REQUIRED_KEYS
    assert report["ruleset"] == "v1"
    assert (out / "payoff_heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "audit.md").read_text()
    assert "MISSED" in md and "final_announcement" in md
    assert "win-equivalent" in done.stdout


@pytest.mark.parametrize(
    "args, needle",
    [
        (["elemental_duel@ruleset=v9"], "ruleset"),
        (["no_such_game"], "unknown game"),
        (["elemental_duel", "--size", "huge"], "--size"),
        (["elemental_duel", "--params", "no_such=1"], "unknown parameter"),
        (["elemental_duel", "--params", "oops"], "key=value"),
        (["elemental_duel@ruleset=v1", "--ruleset", "v2"], "two rulesets"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, args, needle):
    done = run_cli(*args, "--out", str(tmp_path / "x"), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert needle in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "x").exists()


def test_cli_refuses_an_out_that_is_a_file(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("keep me")
    done = run_cli("elemental_duel", "--size", "small", "--out", str(target))
    assert done.returncode == 2
    assert "exists and is not a folder" in done.stderr
    assert target.read_text() == "keep me"
