"""Kill -9 and Ctrl-C against a real ``stratagem run`` process; the store must stay exact."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.experiments import expand, load_experiment_file
from harness.runner import RunOptions, run_jobs
from harness.store import ResultStore, export_store

EXPERIMENT = """\
name: killme
games: [tower_defense, battle_card, elemental_duel]
models: [bot/random, bot/greedy, bot/search@sims=8]
protocol: {{rounds: 4}}
seeds: [{seeds}]
store: {store}
"""


def write_experiment(tmp_path: Path, store: Path, n_seeds: int) -> Path:
    path = tmp_path / "killme.yaml"
    seeds = ", ".join(str(s) for s in range(n_seeds))
    path.write_text(EXPERIMENT.format(seeds=seeds, store=store))
    return path


def start(exp: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli.app", "run", str(exp), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finished_count(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM matches").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def wait_for_progress(proc: subprocess.Popen[bytes], store: Path, above: int, timeout: float = 60) -> bool:
    """Wait until the store holds more than ``above`` matches; False if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if finished_count(store) > above:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    raise AssertionError("the run made no progress")


def assert_consistent(store: Path) -> None:
    """Every stored match has all its rounds and decisions (no half-written match)."""
    with ResultStore(store, create=False) as s:
        for m in s.iter_matches():
            assert m["status"] == "finished"
            assert len(s.rounds(m["match_id"])) == m["n_rounds"] > 0
            assert s.decisions(m["match_id"])


@pytest.mark.slow
def test_sigkill_at_random_moments_then_resume_equals_an_uninterrupted_run(tmp_path):
    store = tmp_path / "killed.sqlite"
    exp = write_experiment(tmp_path, store, n_seeds=4)
    rng = random.Random(20240613)
    kills = 0
    for _ in range(4):
        before = finished_count(store)
        proc = start(exp)
        if wait_for_progress(proc, store, above=before):
            time.sleep(rng.uniform(0.0, 0.4))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
        proc.wait(timeout=60)
        assert_consistent(store)
    assert kills >= 2
    for _ in range(5):  # re-run until done
        proc = start(exp)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        cfg = load_experiment_file(exp)
        with ResultStore(store, create=False) as s:
            if len(s.finished_ids()) == len(expand(cfg)):
                break
    # the reference: the same experiment, uninterrupted
    cfg = load_experiment_file(exp)
    jobs = expand(cfg)
    with ResultStore(tmp_path / "ref.sqlite") as ref:
        run_jobs(jobs, ref, run_id="ref", options=RunOptions(progress=False))
    with ResultStore(store, create=False) as s:
        assert s.finished_ids() == {j.match_id for j in jobs}
        n = s.query("SELECT COUNT(*) FROM matches")[0][0]
        assert n == len(jobs)  # no duplicates, nothing lost
        assert len(s.runs()) >= 1 + kills
    for name in ("killed", "ref"):
        export_store(tmp_path / f"{name}.sqlite", tmp_path / f"{name}-csv", "csv")
    for table in ("matches", "rounds", "decisions"):
        assert (tmp_path / "killed-csv" / f"{table}.csv").read_bytes() == (
            tmp_path / "ref-csv" / f"{table}.csv"
        ).read_bytes(), table


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_keeping_what_finished(tmp_path):
    store = tmp_path / "int.sqlite"
    exp = write_experiment(tmp_path, store, n_seeds=40)
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.app", "run", str(exp)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert wait_for_progress(proc, store, above=3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "interrupted" in err.decode()
    assert "Traceback" not in err.decode()
    assert_consistent(store)
    n = finished_count(store)
    assert 3 < n < len(expand(load_experiment_file(exp)))
