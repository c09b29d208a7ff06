"""The Ray executor under SIGKILL: a lost worker is replaced by itself, a killed driver resumes.

Each run is a real ``stratagem run --executor ray`` process inside its own loopback-only network
namespace (``unshare --net``, then ``lo`` up): Ray binds to 127.0.0.1 and cannot reach or be reached
from any other host. The tests skip where a network namespace cannot be made (not root, no ``unshare``).

Signals go out at *progress points* (when the store holds a given number of matches), never after a
sleep. Every run is sized so that three quarters of its matches are still to play at the signal, far
more than any machine plays between the poll and the kill; the exit status and the counters then prove
that the signal, not the end of the run, came first.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from store_progress import finished_count, wait_for_count

from harness.experiments import expand, load_experiment_file
from harness.runner import RunOptions, run_jobs
from harness.store import ResultStore, export_store

pytest.importorskip("ray")

EXPERIMENT = """\
name: rayfaults
games: [tower_defense, battle_card, elemental_duel]
models: [bot/random, bot/greedy, bot/search@sims=8]
protocol: {{rounds: 4{extra}}}
seeds: [0, 1, 2, 3, 4, 5, 6, 7]
"""
# Safety limits only: they fire on a hung or broken run, never on a slow (loaded) machine.
HANG_S = 90.0
WORKER_TITLE = "ray::MatchWorker"  # Ray names an actor's process after its class


def _netns_works() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(["unshare", "--net", "ip", "link", "set", "lo", "up"], capture_output=True)
    return probe.returncode == 0


pytestmark = [
    pytest.mark.ray,
    pytest.mark.slow,
    pytest.mark.skipif(not _netns_works(), reason="needs root and unshare(1) for a loopback-only netns"),
]


# ------------------------------------------------------------------------------------- helpers
def write_experiment(tmp_path: Path, *, shared: bool = False) -> Path:
    path = tmp_path / "rayfaults.yaml"
    path.write_text(EXPERIMENT.format(extra=", initial_plans: shared" if shared else ""))
    return path


def start(exp: Path, store: Path, log: Path) -> subprocess.Popen[bytes]:
    """``stratagem run --executor ray`` in a new loopback-only network namespace; its pid is the driver's.

    ``unshare`` and ``sh`` both exec, so the process started here *is* the driver. Ray's own processes
    are its descendants and die with it (Ray ties the processes of a cluster it starts to the driver).
    """
    cli = [sys.executable, "-m", "harness.cli.app", "run", str(exp), "--store", str(store)]
    cmd = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *cli]
    with log.open("ab") as err:  # a file, not a pipe: a full pipe would stall the run
        return subprocess.Popen(
            [*cmd, "--executor", "ray", "--workers", "2"], stdout=subprocess.DEVNULL, stderr=err
        )


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone meanwhile
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # after the command name, which may hold spaces


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (Ray's GCS, raylet and workers, for a driver)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _ppid(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def match_workers(driver: int) -> list[int]:
    return sorted(p for p in descendants(driver) if cmdline(p).startswith(WORKER_TITLE))


def running(lines: dict[int, str]) -> dict[int, str]:
    """Those of ``lines`` (pid → command line) that still run the same command (a reused pid does not)."""
    return {p: c for p, c in lines.items() if c and cmdline(p) == c}


def wait_gone(lines: dict[int, str]) -> dict[int, str]:
    """Wait (at most :data:`HANG_S`) for the processes of ``lines`` to end; those still running."""
    deadline = time.monotonic() + HANG_S
    while running(lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    return running(lines)


def end(lines: dict[int, str]) -> None:
    """SIGKILL, by pid, the processes of ``lines`` (started by this test) that still run."""
    for p in running(lines):
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGKILL)


def summary(log: Path) -> str:
    text = " ".join(log.read_text().split())  # rich wraps the line at the console width
    found = re.findall(r"done: \d+/\d+ matches \(.*?\), \d+ rounds", text)
    assert found, text
    return str(found[-1])


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """The csv export of an experiment played by the asyncio runner without interruption (one per file)."""
    made: dict[str, Path] = {}

    def get(exp: Path) -> Path:
        text = exp.read_text()
        if text not in made:
            out = tmp_path_factory.mktemp("reference")
            jobs = expand(load_experiment_file(exp))
            with ResultStore(out / "ref.sqlite") as ref:
                run_jobs(jobs, ref, run_id="ref", options=RunOptions(progress=False))
            export_store(out / "ref.sqlite", out / "csv", "csv")
            made[text] = out / "csv"
        return made[text]

    return get


def assert_same_export(store: Path, ref_csv: Path, tmp_path: Path) -> None:
    files = export_store(store, tmp_path / "ray-csv", "csv")
    assert sorted(f.name for f in files) == sorted(p.name for p in ref_csv.iterdir())
    for f in files:
        assert f.read_bytes() == (ref_csv / f.name).read_bytes(), f"{f.name} differs from the asyncio run"


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Runs started by a test; any still alive at its end are killed (by pid) with their Ray processes."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            below = {p: cmdline(p) for p in descendants(proc.pid)}
            proc.kill()
            proc.wait()
            end(below)


# ------------------------------------------------------------------------------------- tests
def kill_one_worker_mid_run(
    tmp_path: Path,
    procs: list[subprocess.Popen[bytes]],
    reference: Callable[[Path], Path],
    *,
    shared: bool,
) -> None:
    exp = write_experiment(tmp_path, shared=shared)
    total = len(expand(load_experiment_file(exp)))
    store, log = tmp_path / "ray.sqlite", tmp_path / "ray.log"
    proc = start(exp, store, log)
    procs.append(proc)
    seen = wait_for_count(proc, store, total // 4, log.read_text, hang_s=HANG_S)
    workers = match_workers(proc.pid)
    assert len(workers) == 2, (workers, [cmdline(p) for p in descendants(proc.pid)])
    os.kill(workers[0], signal.SIGKILL)  # at once: no sleep between the progress point and the kill
    proc.wait(timeout=HANG_S * 2)
    line = summary(log)
    print(f"\nworker {workers[0]} SIGKILLed at {seen}/{total} matches stored; {line}")
    assert proc.returncode == 0, log.read_text()
    lost = re.search(r"(\d+) replayed after (\d+) lost worker", line)
    assert lost is not None, line  # the kill came before the end: the run lost a worker
    assert int(lost[1]) >= 1 and int(lost[2]) == 1, line
    assert f"done: {total}/{total} matches ({total} played now, 0 already stored, 0 voided" in line
    with ResultStore(store, create=False) as s:
        assert s.query("SELECT COUNT(*) FROM matches")[0][0] == total  # none lost, none twice
    assert_same_export(store, reference(exp), tmp_path)
    print("export byte-identical to the asyncio runner's")


def test_a_worker_killed_mid_run_is_replaced_and_the_export_equals_asyncio(tmp_path, procs, reference):
    kill_one_worker_mid_run(tmp_path, procs, reference, shared=False)


def test_a_lost_worker_hands_its_shared_initial_plans_to_its_replacement(tmp_path, procs, reference):
    """Under ``initial_plans: shared`` the replacement reuses the lost worker's plans, makers included."""
    kill_one_worker_mid_run(tmp_path, procs, reference, shared=True)


def test_a_killed_driver_then_a_rerun_equals_asyncio(tmp_path, procs, reference):
    exp = write_experiment(tmp_path)
    total = len(expand(load_experiment_file(exp)))
    store, log = tmp_path / "ray.sqlite", tmp_path / "ray.log"
    proc = start(exp, store, log)
    procs.append(proc)
    seen = wait_for_count(proc, store, total // 4, log.read_text, hang_s=HANG_S)
    below = {p: cmdline(p) for p in descendants(proc.pid)}
    proc.kill()  # SIGKILL the driver at once
    assert proc.wait(timeout=HANG_S) == -signal.SIGKILL
    # What plays matches dies with the driver (a killed run goes on spending nothing); Ray's dashboard
    # and runtime-env agents may outlive it, and are ended here.
    players = {p: c for p, c in below.items() if c.startswith(WORKER_TITLE) or "raylet" in c or "gcs" in c}
    assert len(players) >= 4, below  # gcs, raylet, two workers
    assert not wait_gone(players), running(players)
    end(below)
    kept = finished_count(store)
    assert total // 4 <= seen <= kept < total, (seen, kept, total)

    again = start(exp, store, log)
    procs.append(again)
    assert again.wait(timeout=HANG_S * 2) == 0, log.read_text()
    line = summary(log)
    print(f"\ndriver SIGKILLed at {seen}/{total} ({kept} stored); rerun: {line}")
    assert f"done: {total}/{total} matches ({total - kept} played now, {kept} already stored" in line
    with ResultStore(store, create=False) as s:
        assert s.query("SELECT COUNT(*) FROM matches")[0][0] == total
    assert_same_export(store, reference(exp), tmp_path)
