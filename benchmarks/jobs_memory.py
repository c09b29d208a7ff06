"""Peak memory of ``stratagem run`` against the number of planned matches (bots, elemental duel).

For each size (default 10 k, 100 k and 1 M planned jobs) it writes an experiment of that many
elemental-duel ``bot/random`` vs ``bot/greedy`` matches (100 seeds x the 4 settings x enough
repetitions) and runs, each in a fresh process into a fresh store:

* ``stratagem run CONFIG --dry-run`` — plans and counts the matches (no store yet);
* ``stratagem run CONFIG --max-matches 100`` — plans them, then plays the first 100 (3 rounds each);
* ``--dry-run`` again, on that store — reads the whole plan, looking each chunk of ids up in the store;
* ``--max-matches 100`` again — a resumed run: it counts what is stored over the whole plan, checks the
  store, skips the 100 stored and plays the next 100.

It prints each process's peak RSS (``ru_maxrss``, from ``os.wait4``), CPU and wall time. Target: a flat
peak, <= 150 MB at 1 M planned jobs.

    python benchmarks/jobs_memory.py [--sizes 10000 100000 1000000] [--timeout 1800]

A run that fails (e.g. an option this version lacks) or times out prints ``n/a`` and why.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MB = 150.0
TARGET_SIZE = 1_000_000
SEEDS = 100
PER_SEED = 4  # one pair x 4 settings

CONFIG = """\
name: jobs-memory-{size}
games: [elemental_duel]
models: [bot/random, bot/greedy]
pairing: round_robin
settings: {{sides: [A, B], first_reviser: [A, B]}}
protocol: {{rounds: 3}}
seeds: [{seeds}]
repetitions: {repetitions}
"""


def write_config(folder: Path, size: int) -> Path:
    """An experiment planning ``size`` matches (rounded up to a multiple of 400)."""
    repetitions = max(1, -(-size // (SEEDS * PER_SEED)))
    path = folder / f"jobs-{size}.yaml"
    seeds = ", ".join(str(s) for s in range(SEEDS))
    path.write_text(CONFIG.format(size=size, seeds=seeds, repetitions=repetitions))
    return path


def measure(args: list[str], timeout: float) -> tuple[float, float, float, str]:
    """Peak RSS (MB), CPU s and wall s of one child process, and a note (empty when it succeeded)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.app", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return float("nan"), float("nan"), timeout, f"timed out after {timeout:g} s"
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    err = proc.stderr.read() if proc.stderr else ""
    out = proc.stdout.read() if proc.stdout else ""
    note = "" if proc.returncode == 0 else f"exit {proc.returncode}: {(err.strip().splitlines() or [''])[-1]}"
    if not note and "--dry-run" in args and out.strip():
        line = out.strip().splitlines()[-1].split(": ", 1)[-1]
        note = re.sub(r" in \S+\.sqlite", " in the store", line)
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, wall, note


def main() -> int:
    """Measure every size in both modes and print the table and the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per child process")
    args = parser.parse_args()
    peak_at_target: float | None = None
    with tempfile.TemporaryDirectory(prefix="jobs-memory-") as tmp:
        folder = Path(tmp)
        print(f"{'planned jobs':>12}  {'mode':<18}{'peak RSS':>10}{'CPU':>9}{'wall':>9}  note")
        for size in args.sizes:
            config = write_config(folder, size)
            store = folder / f"store-{size}.sqlite"
            modes = (
                ("--dry-run", ["--dry-run"]),
                ("--max-matches 100", ["--max-matches", "100"]),
                ("--dry-run (100 in)", ["--dry-run"]),
                ("resume, max 100", ["--max-matches", "100"]),
            )
            for mode, extra in modes:
                run = ["run", str(config), "--store", str(store), "-q", *extra]
                mb, cpu, wall, note = measure(run, args.timeout)
                print(f"{size:>12,}  {mode:<18}{mb:>7.0f} MB{cpu:>8.1f}s{wall:>8.1f}s  {note}", flush=True)
                if size >= TARGET_SIZE and mb == mb and not note.startswith(("exit", "timed out")):
                    peak_at_target = max(peak_at_target or 0.0, mb)
    if peak_at_target is None:
        print(f"target: <= {TARGET_MB:.0f} MB at {TARGET_SIZE:,} planned jobs: not measured")
        return 1
    ok = peak_at_target <= TARGET_MB
    print(
        f"target: <= {TARGET_MB:.0f} MB at {TARGET_SIZE:,} planned jobs: {peak_at_target:.0f} MB"
        f" ({peak_at_target / TARGET_MB:.2f}x)  {'meets target' if ok else 'ABOVE TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
