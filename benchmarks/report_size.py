"""Report size at the advgamebench preset's size: 432 matches x 10 rounds, played by bots.

Plays 3 games x 3 bot pairs (round robin) x 4 settings (sides, first reviser) x 12 seeds = 432 matches of 10
rounds into a fresh store, writes the report with the match viewer, and prints:

- ``report.html`` (self-contained: tables, charts, script, style), target <= 10 MB;
- the match viewer ``matches/`` (index pages + one page per match): total, largest file and mean page;
- everything together, target <= 10 MB; and the time the match pages took.

    python benchmarks/report_size.py [--work DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

CONFIG = """\
name: report_size
games: [tower_defense, battle_card, elemental_duel]
models: [bot/random, bot/greedy, bot/search@sims=8]
pairing: round_robin
settings: {sides: [A, B], first_reviser: [A, B]}
protocol: {rounds: 10}
seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
"""
TARGET_MB = 10.0


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=None, help="Folder to keep the store and report in.")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="report_size_"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "size.yaml").write_text(CONFIG, encoding="utf-8")
    store = work / "size.sqlite"
    subprocess.run(["stratagem", "run", str(work / "size.yaml"), "--store", str(store), "-q"], check=True)
    out = work / "report"
    base = ["stratagem", "report", str(store), "--n-boot", "200", "--no-answer-rate"]
    start = time.perf_counter()
    subprocess.run([*base, "--out", str(work / "bare"), "--no-matches"], check=True, capture_output=True)
    bare_s = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run([*base, "--out", str(out)], check=True, capture_output=True)
    full_s = time.perf_counter() - start
    page = (out / "report.html").stat().st_size
    files = sorted((out / "matches").glob("*.html"))
    sizes = [p.stat().st_size for p in files]
    matches = [s for p, s in zip(files, sizes, strict=True) if not p.name.startswith("index")]
    total = page + sum(sizes)
    print(f"store: {store} (432 matches x 10 rounds)")
    print(f"report.html: {_mb(page)} (target <= {TARGET_MB:.0f} MB, {page / 1e6 / TARGET_MB:.2f}x)")
    print(
        f"matches/: {len(files)} files, {_mb(sum(sizes))}; largest {sizes and max(sizes) / 1e3:.1f} KB; "
        f"mean match page {sum(matches) / max(1, len(matches)) / 1e3:.1f} KB"
    )
    print(
        f"report.html + matches/: {_mb(total)} (target <= {TARGET_MB:.0f} MB, {total / 1e6 / TARGET_MB:.2f}x)"
    )
    print(
        f"time: report {full_s:.1f} s with the match pages, {bare_s:.1f} s without ({full_s - bare_s:.1f} s)"
    )


if __name__ == "__main__":
    main()
