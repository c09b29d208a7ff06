"""Kill -9 and Ctrl-C against a real ``stratagem run`` process; the store must stay exact.

The signals are sent at *progress points* (when the store holds a given number of finished matches),
never after a sleep: a bot match takes milliseconds, so any fixed delay is either longer than the whole
run on a fast machine or too short on a loaded one. Each run is sized so that at least half of its
matches are still to play when the signal goes out, so it cannot finish between the poll and the signal
on any machine speed; the process's exit status then proves that the signal, not the end of the run,
stopped it.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from store_progress import HANG_S, finished_count, wait_for_count

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

# Safety limits only: they fire on a hung or broken run, never on a slow (loaded) machine.


def write_experiment(tmp_path: Path, store: Path, n_seeds: int) -> Path:
    path = tmp_path / "killme.yaml"
    seeds = ", ".join(str(s) for s in range(n_seeds))
    path.write_text(EXPERIMENT.format(seeds=seeds, store=store))
    return path


def n_jobs(exp: Path) -> int:
    return len(expand(load_experiment_file(exp)))


def start(exp: Path, *, quiet: bool = True) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli.app", "run", str(exp), *(["--quiet"] if quiet else [])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stderr_of(proc: subprocess.Popen[bytes]) -> Callable[[], str]:
    """What the run printed on stderr (read once it has ended)."""
    return lambda: proc.stderr.read().decode() if proc.stderr else ""


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
    exp = write_experiment(tmp_path, store, n_seeds=12)  # 432 matches
    total = n_jobs(exp)
    planned_kills = 3
    # Each kill comes once 1..step more matches are stored than when its run started: a random point of
    # progress, and about half of the matches (less the few stored between two polls) are still to play
    # after the last kill, hundreds of matches the run would have to play between a poll and the kill.
    step = total // (2 * planned_kills)
    rng = random.Random(20240613)
    real_kills = 0
    for i in range(planned_kills):
        before = finished_count(store)
        target = before + rng.randint(1, step)
        proc = start(exp)
        try:
            seen = wait_for_count(proc, store, target, stderr_of(proc))
            proc.kill()  # SIGKILL at once: no sleep between the progress point and the kill
            returncode = proc.wait(timeout=HANG_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        after = finished_count(store)
        assert returncode == -signal.SIGKILL, (
            f"kill {i}: the run was not killed (exit {returncode}) at {seen}/{total} matches"
        )
        assert target <= seen <= after < total, (i, target, seen, after, total)
        assert_consistent(store)
        real_kills += 1
    assert real_kills == planned_kills

    proc = start(exp)  # resume: one uninterrupted run finishes the rest
    _, err = proc.communicate(timeout=HANG_S * 2)
    assert proc.returncode == 0, err.decode()
    assert_consistent(store)

    # the reference: the same experiment, uninterrupted
    jobs = expand(load_experiment_file(exp))
    with ResultStore(tmp_path / "ref.sqlite") as ref:
        run_jobs(jobs, ref, run_id="ref", options=RunOptions(progress=False))
    with ResultStore(store, create=False) as s:
        assert s.finished_ids() == {j.match_id for j in jobs}
        n = s.query("SELECT COUNT(*) FROM matches")[0][0]
        assert n == len(jobs)  # no duplicates, nothing lost
        assert len(s.runs()) == planned_kills + 1  # every killed run was registered, plus the resume
    for name in ("killed", "ref"):
        export_store(tmp_path / f"{name}.sqlite", tmp_path / f"{name}-csv", "csv")
    for table in ("matches", "rounds", "decisions"):
        assert (tmp_path / "killed-csv" / f"{table}.csv").read_bytes() == (
            tmp_path / "ref-csv" / f"{table}.csv"
        ).read_bytes(), table


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_keeping_what_finished(tmp_path):
    store = tmp_path / "int.sqlite"
    exp = write_experiment(tmp_path, store, n_seeds=20)  # 720 matches: SIGINT comes when 4 are stored
    total = n_jobs(exp)
    proc = start(exp, quiet=False)  # not --quiet: the summary line says "interrupted"
    try:
        seen = wait_for_count(proc, store, 4, stderr_of(proc))
        proc.send_signal(signal.SIGINT)  # at once, with the run nowhere near its end
        _, err_bytes = proc.communicate(timeout=HANG_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = err_bytes.decode()
    assert proc.returncode == 130, f"exit {proc.returncode} after SIGINT at {seen}/{total} matches:\n{err}"
    assert "interrupted" in err
    assert "Traceback" not in err
    assert_consistent(store)
    n = finished_count(store)
    assert 4 <= seen <= n < total
