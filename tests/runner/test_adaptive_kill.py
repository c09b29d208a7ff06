"""SIGKILL against a real ``stratagem run --adaptive``: the rerun makes the same decisions, the same store.

The kills come at progress points (the store holds a given number of matches), never after a sleep, as in
``test_kill_resume.py``. The population has two bots that play identically (``bot/greedy`` and
``bot/search@sims=1`` in battle card), so their order is never settled and the run goes on, batch after
batch, until its ``--max-matches`` cap: hundreds of small batches, each decided from the stored results of
the ones before, so a kill lands in the middle of the decisions.
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

from harness.experiments import parse_experiment
from harness.runner import RunOptions
from harness.runner.adaptive import AdaptiveOptions, run_adaptive
from harness.store import ResultStore, export_store
from harness.store.allocation_log import log_rows

EXPERIMENT = """\
name: killme-adaptive
games: [battle_card]
models: [bot/random, bot/greedy, bot/search@sims=1, bot/search@sims=16, bot/search@sims=64]
settings: [{side: A, first_reviser: A}, {side: B, first_reviser: A}]
protocol: {rounds: 1}
seeds: [0, 1, 2]
"""
CAP = 300


def start(exp: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli.app",
            "run",
            str(exp),
            "--adaptive",
            "--max-matches",
            str(CAP),
            "-q",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stderr_of(proc: subprocess.Popen[bytes]) -> Callable[[], str]:
    return lambda: proc.stderr.read().decode() if proc.stderr else ""


def csv(tmp_path: Path, path: Path) -> dict[str, bytes]:
    out = tmp_path / f"{path.stem}-csv"
    export_store(path, out, "csv")
    return {t: (out / f"{t}.csv").read_bytes() for t in ("matches", "rounds", "decisions")}


@pytest.mark.slow
def test_sigkill_then_rerun_makes_the_same_decisions_and_store(tmp_path: Path) -> None:
    store = tmp_path / "killed.sqlite"
    exp = tmp_path / "killme.yaml"
    exp.write_text(EXPERIMENT + f"store: {store}\n")
    rng = random.Random(20261203)
    for i in range(2):
        before = finished_count(store)
        target = before + rng.randint(10, CAP // 4)  # at most CAP/2 in all: half the run is still to go
        proc = start(exp)
        try:
            seen = wait_for_count(proc, store, target, stderr_of(proc))
            proc.kill()
            returncode = proc.wait(timeout=HANG_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert returncode == -signal.SIGKILL, f"kill {i}: exit {returncode} at {seen} matches"
        assert finished_count(store) < CAP
    proc = start(exp)
    _, err = proc.communicate(timeout=HANG_S * 2)
    assert proc.returncode == 0, err.decode()

    ref = tmp_path / "ref.sqlite"
    with ResultStore(ref) as s:
        s.acquire_lease("ref")
        out = run_adaptive(
            parse_experiment(EXPERIMENT, "k.yaml"),
            s,
            run_id=s.start_run("ref", "{}"),
            options=RunOptions(progress=False),
            adaptive=AdaptiveOptions(max_matches=CAP),
        )
    assert out.stop == "max_matches"
    assert csv(tmp_path, store) == csv(tmp_path, ref)
    with ResultStore(store, readonly=True) as a, ResultStore(ref, readonly=True) as b:
        assert log_rows(a) == log_rows(b)
        assert len(a.finished_ids()) == CAP
        assert len(a.runs()) == 3  # two killed runs and the rerun
