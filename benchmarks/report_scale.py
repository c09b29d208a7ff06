"""``stratagem report`` at scale: whole processes on a real store of 500,000 round records, now vs a baseline.

The store is built once and cached in ``--work``: a small real run (five bots, the three games, ruleset v1,
the four settings) is played with ``stratagem run``, its default report fills the answer-rate cache, and
its rows (matches, rounds, decisions, the answer-rate cache) are then replicated inside SQLite with fresh
match ids (``<id>-r<copy>``, repetition = copy) until the store holds ``--rounds`` round records. Copied
cache rows are valid hits: a row's input hash covers the game, the plans and the flags, not the match id.

Each report is run as a whole process (``python -m harness.cli.app report …``: imports, load, metrics,
ratings, tables, plots, HTML), best of ``--repeats``, with this checkout (or ``--now DIR``) and with
``--base`` (a checkout of the commit before a change, e.g. ``git worktree add --detach /tmp/report_base
<commit>``), the two sides alternating, each run after the store file was read once (so that no run pays
for a cold disk), side by side:

- ``advgamebench``: ``--definitions advgamebench --n-boot 0``;
- ``default``: ``stratagem report STORE`` as a user types it: ``stratagem`` definitions, 1,000 resamples,
  and the answer rate, which reads every decision from the store's cache (a second report; the first one
  would run ~64 simulations per decision, ~400,000 of them: hours, not a benchmark of the report);
- ``no-ar``: the default report with ``--no-answer-rate``.

The two sides' csv and md files are compared byte for byte (``report.html`` and the PNGs are not: they may
differ by design). With ``--original DIR`` (a folder holding the authors' ``Tower_Defense/evaluator.py``,
``Auto-battler/evaluator.py`` and ``Turn-based/evaluator.py``; they need scikit-learn, which
``--original-path`` can add to their ``PYTHONPATH``) the same rounds are exported with
``stratagem export --format advgamebench`` and each game's evaluator is timed as a whole process.

Run: ``python benchmarks/report_scale.py [--rounds 500000] [--work DIR] [--base DIR] [--original DIR]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 2.0
#: The small run that is replicated (the answer rate's searches run once, on it).
SMALL_RUN = """\
name: report-scale
games: [tower_defense@ruleset=v1, battle_card@ruleset=v1, elemental_duel@ruleset=v1]
models: [bot/random, bot/greedy, bot/search@sims=8, bot/search@sims=16, bot/search@sims=32]
pairing: round_robin
settings: {sides: [A, B], first_reviser: [A, B]}
protocol: {rounds: 10}
seeds: [0]
"""
#: Each game's evaluator in the authors' repository, and Stratagem's export folder of that game.
ORIGINAL_EVALUATORS = {
    "tower_defense": "Tower_Defense",
    "battle_card": "Auto-battler",
    "elemental_duel": "Turn-based",
}
REPORTS: dict[str, tuple[str, ...]] = {
    "advgamebench": ("--definitions", "advgamebench", "--n-boot", "0"),
    "default": (),
    "no-ar": ("--no-answer-rate",),
}
#: Report files compared byte for byte between the two sides (globs under the report folder).
COMPARED = ("*.csv", "*.md", "per_game/*.csv", "per_game/*.md")


def stratagem(args: Sequence[str]) -> list[str]:
    """The command line of ``stratagem ARGS`` (the code comes from ``PYTHONPATH``, see :func:`env_for`)."""
    return [sys.executable, "-m", "harness.cli.app", *args]


def env_for(code_root: Path, extra: str | None = None) -> dict[str, str]:
    """The environment that makes ``python -m harness.cli.app`` import the code of ``code_root``."""
    env = dict(os.environ)
    paths = [str(code_root), *([extra] if extra else [])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def run_checked(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> None:
    """Run a set-up command; stop with its output when it fails."""
    res = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"failed ({res.returncode}): {' '.join(cmd)}\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in con.execute(f"PRAGMA table_info({table})")]


def replicate(small: Path, big: Path, rounds: int) -> int:
    """Copy ``small`` to ``big`` and replicate its records until it holds at least ``rounds`` round records.

    Returns:
        The number of copies (the small run's own rows are copy 0).
    """
    tmp = big.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    shutil.copyfile(small, tmp)
    con = sqlite3.connect(tmp, isolation_level=None)
    try:
        per_copy = int(con.execute("SELECT COUNT(*) FROM rounds").fetchone()[0])
        copies = max(1, -(-rounds // per_copy))
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("BEGIN")
        con.execute("CREATE TEMP TABLE k (i INTEGER PRIMARY KEY)")
        con.executemany("INSERT INTO k VALUES (?)", [(i,) for i in range(1, copies)])
        for table in ("matches", "rounds", "decisions", "derived_answer_rate"):
            cols = _columns(con, table)
            select = [
                "t.match_id || '-r' || printf('%05d', k.i)"
                if c == "match_id"
                else ("k.i" if (table, c) == ("matches", "repetition") else f"t.{c}")
                for c in cols
            ]
            con.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(select)} FROM {table} AS t, k "
                "WHERE t.match_id NOT LIKE '%-r%' ORDER BY k.i, t.rowid"
            )
        con.execute("COMMIT")
        con.execute("VACUUM")
    finally:
        con.close()
    tmp.replace(big)
    return copies


def build_store(work: Path, rounds: int) -> Path:
    """The big store (built once per ``rounds``, then reused)."""
    work.mkdir(parents=True, exist_ok=True)
    big = work / f"store-{rounds}.sqlite"
    if big.is_file():
        return big
    env = env_for(ROOT)
    small = work / "small.sqlite"
    if not small.is_file():
        (work / "small.yaml").write_text(SMALL_RUN, encoding="utf-8")
        t0 = time.perf_counter()
        partial = work / "small.partial.sqlite"
        partial.unlink(missing_ok=True)
        run_checked(stratagem(["run", "small.yaml", "--store", partial.name, "--quiet"]), env, work)
        # The default report fills the answer-rate cache (the searches run here, once).
        run_checked(stratagem(["report", partial.name, "--out", "small_report"]), env, work)
        partial.replace(small)
        print(f"small run played and reported in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    copies = replicate(small, big, rounds)
    print(f"replicated {copies} copies into {big} in {time.perf_counter() - t0:.1f} s")
    return big


def store_counts(store: Path) -> dict[str, int]:
    """Row counts of the store's tables."""
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        tables = ("matches", "rounds", "decisions", "derived_answer_rate")
        return {t: int(con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables}
    finally:
        con.close()


@dataclass
class Timing:
    """Best-of-n wall time and the peak RSS of that process."""

    walls: list[float]
    rss_mb: list[float]

    @property
    def best(self) -> float:
        """The fastest run."""
        return min(self.walls)

    def text(self) -> str:
        """``best s (min–max), peak MB``."""
        rss = self.rss_mb[self.walls.index(self.best)]
        spread = f"{min(self.walls):.2f}–{max(self.walls):.2f}" if len(self.walls) > 1 else ""
        return f"{self.best:6.2f} s ({spread}) {rss:5.0f} MB"


def timed(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one whole process; stops the benchmark when it fails."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode(errors='replace')[-3000:]}")
    return wall, usage.ru_maxrss / 1024.0


def warm(path: Path) -> None:
    """Read ``path`` once, so that every timed run finds it in the page cache (not on a slow disk)."""
    with path.open("rb") as fh:
        while fh.read(1 << 24):
            pass


def time_report(code_root: Path, store: Path, args: Sequence[str], out: Path, repeats: int) -> Timing:
    """Best of ``repeats`` runs of one report; the last run's files stay in ``out``."""
    walls, rss = [], []
    for _ in range(repeats):
        shutil.rmtree(out, ignore_errors=True)
        warm(store)
        cmd = stratagem(["report", str(store), "--out", str(out), *args])
        wall, mb = timed(cmd, env_for(code_root), out.parent)
        walls.append(wall)
        rss.append(mb)
    return Timing(walls, rss)


def compare(a: Path, b: Path) -> tuple[int, list[str]]:
    """Number of compared files, and those that differ (or exist on one side only)."""
    names = sorted({p.relative_to(d).as_posix() for d in (a, b) for g in COMPARED for p in d.glob(g)})
    differ = [n for n in names if not ((a / n).is_file() and (b / n).is_file())]
    differ += [n for n in names if n not in differ and (a / n).read_bytes() != (b / n).read_bytes()]
    return len(names), differ


def time_original(original: Path, export: Path, extra: str | None, repeats: int, work: Path) -> None:
    """Time each game's released evaluator on its exported tree, as whole processes."""
    env = dict(os.environ)
    if extra:
        env["PYTHONPATH"] = extra
    total = 0.0
    rows = 0
    for game, folder in ORIGINAL_EVALUATORS.items():
        script = original / folder / "evaluator.py"
        tree = export / game
        if not script.is_file() or not tree.is_dir():
            print(f"  {game:<16} skipped: {script if not script.is_file() else tree} missing")
            continue
        n = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in tree.rglob("*_results.csv"))
        rows += n
        cmd = [
            sys.executable,
            str(script),
            "--results-root",
            str(tree),
            "--out-file",
            str(work / f"{game}.csv"),
        ]
        walls, rss = zip(*(timed(cmd, env, work) for _ in range(repeats)), strict=True)
        t = Timing(list(walls), list(rss))
        total += t.best
        print(f"  {game:<16} {n:>9,} CSV rows  {t.text()}")
    print(f"  {'all three':<16} {rows:>9,} CSV rows  {total:6.2f} s (sum of the best runs)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=500_000, help="round records in the store")
    ap.add_argument("--work", type=Path, default=Path("/tmp/stratagem-report-scale"), help="cache folder")
    ap.add_argument("--base", type=Path, default=Path("/tmp/report_base"), help="baseline checkout")
    ap.add_argument(
        "--now", type=Path, default=ROOT, help="code of the 'now' column (default: this checkout)"
    )
    ap.add_argument("--original", type=Path, default=None, help="folder of the authors' evaluators")
    ap.add_argument("--original-path", default=None, help="PYTHONPATH for the authors' evaluators")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--reports", default=",".join(REPORTS), help=f"comma-separated among {', '.join(REPORTS)}"
    )
    args = ap.parse_args()
    work = args.work.resolve()
    store = build_store(work, args.rounds)
    counts = store_counts(store)
    print(
        f"store {store}: {counts['rounds']:,} round records, {counts['matches']:,} matches, "
        f"{counts['decisions']:,} decisions, {counts['derived_answer_rate']:,} cached answer-rate rows"
    )
    base = args.base.resolve() if (args.base / "harness" / "cli" / "app.py").is_file() else None
    if base is None:
        print(f"no baseline checkout at {args.base}: the baseline column is skipped")
    sides = [("now", args.now.resolve()), *([("base", base)] if base is not None else [])]
    print(f"now: {args.now.resolve()}; baseline: {base}")
    print(f"load average {os.getloadavg()[0]:.1f}; best of {args.repeats}; whole processes")
    print(f"  {'report':<14} {'now':>28}   {'baseline':>28}   ratio   files compared")
    targets: list[str] = []
    for name in args.reports.split(","):
        res = {label: Timing([], []) for label, _ in sides}
        for _ in range(args.repeats):  # alternating sides, so that both meet the same load
            for label, root in sides:
                one = time_report(root, store, REPORTS[name], work / f"out-{name}-{label}", 1)
                res[label].walls += one.walls
                res[label].rss_mb += one.rss_mb
        line = f"  {name:<14} {res['now'].text():>28}"
        if "base" in res:
            n, differ = compare(work / f"out-{name}-now", work / f"out-{name}-base")
            same = f"{n} identical" if not differ else f"{len(differ)} of {n} DIFFER: {', '.join(differ)}"
            line += f"   {res['base'].text():>28}   {res['base'].best / res['now'].best:5.1f}x   {same}"
        print(line, flush=True)
        if name == "advgamebench":
            verdict = "OK" if res["now"].best <= TARGET_S else "MISSED"
            targets.append(
                f"advgamebench --n-boot 0: {res['now'].best:.2f} s, target <= {TARGET_S:.0f} s: {verdict}"
            )
    for text in targets:
        print(text)
    if args.original is None:
        print("authors' evaluator: skipped (pass --original DIR with its Tower_Defense/evaluator.py, …)")
        return
    export = work / f"export-{args.rounds}"
    if not export.is_dir():
        run_checked(
            stratagem(["export", str(store), "--format", "advgamebench", "--out", str(export)]),
            env_for(ROOT),
            work,
        )
    print(f"authors' evaluators on the same rounds in their CSV layout ({export}), best of {args.repeats}:")
    time_original(args.original.resolve(), export, args.original_path, args.repeats, work)


if __name__ == "__main__":
    main()
