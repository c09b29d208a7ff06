"""Metrics at scale: 1,000,000 synthetic round records (50 models, 3 games) → every metric in both definition
sets, correlations, failure table, and Bradley–Terry ratings, all with 1,000 bootstrap resamples.

Targets: <= 3 s wall and <= 600 MB for the analysis. The synthetic data is built first (its time is printed
separately; it is built as ``load_store`` builds frames: Arrow-backed text columns). Two memory figures are
printed: the peak RSS of the whole process (imports and data included), and the analysis's own peak (the
kernel's peak RSS is reset once the data is built, so it counts the data held plus what the analysis adds).

With ``--base DIR`` (a checkout of an earlier commit, e.g. ``git worktree add --detach /tmp/report_base
<commit>``) the benchmark runs in fresh processes, alternately with this checkout's code and with DIR's,
best of ``--repeats``, and prints both with their ratio: timings of one run are comparable on a shared,
loaded machine only as ratios.

Run: ``python benchmarks/metrics_scale.py [--rounds 1000000] [--models 50] [--n-boot 1000] [--base DIR]``
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

# Single-threaded BLAS: on a shared 2-core machine OpenBLAS's worker threads oversubscribe the CPU and make
# the many small matrix products ~10x slower. Must be set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from metrics import (
    compute_correlations,
    compute_metrics,
    compute_ratings,
    cost_per_match,
    failure_table,
)
from metrics.load import StoreFrames
from metrics.turns import sides_of

GAMES = ("battle_card", "elemental_duel", "tower_defense")
BUDGETS = {"tower_defense": (2000, 1500), "battle_card": (20, 20), "elemental_duel": (20, 20)}
R = 10
TARGET_S = 3.0
TARGET_MB = 600


def synthesize(n_rounds: int, n_models: int, seed: int = 0) -> StoreFrames:
    """Random but plausible frames: strengths drive winners, plans change on own turns, a few violations."""
    rng = np.random.default_rng(seed)
    models = np.array(["bot/random"] + [f"prov/model-{i:02d}" for i in range(1, n_models)], dtype=object)
    strength = np.concatenate([[0.0], rng.normal(0.5, 0.8, n_models - 1)])
    per_match = np.array([R + 1 if g != "tower_defense" else R for g in GAMES])
    n_per_game = round(n_rounds / per_match.sum())
    game_of = np.repeat(np.arange(3), n_per_game)
    n_m = len(game_of)
    a = rng.integers(0, n_models, n_m)
    b = (a + rng.integers(1, n_models, n_m)) % n_models
    first = rng.integers(0, 2, n_m)  # 0: A revises first
    ids = np.array([f"m{i:07d}" for i in range(n_m)], dtype=object)
    lens = per_match[game_of]
    mi = np.repeat(np.arange(n_m), lens)
    start = np.concatenate([[0], np.cumsum(lens)[:-1]])
    k = np.arange(len(mi)) - start[mi] + 1
    n = len(mi)
    side_adv = np.array([0.1, -0.1, 0.3])[game_of[mi]]
    p_a = 1.0 / (1.0 + np.exp(-(strength[a[mi]] - strength[b[mi]] + side_adv)))
    u = rng.random(n)
    winner = np.where(u < 0.02 + 0.98 * p_a, "A", "B").astype(object)
    winner[u < 0.02] = None  # no winner
    rev_side = np.where(k == 1, -1, np.where((k - 2) % 2 == 0, first[mi], 1 - first[mi]))
    reviser = np.where(rev_side == 0, "A", "B").astype(object)
    reviser[rev_side < 0] = None
    budgets = np.array([BUDGETS[g] for g in GAMES])[game_of[mi]]
    cols: dict[str, object] = {}
    for s, name in ((0, "a"), (1, "b")):
        revised = (rev_side == s) & (rng.random(n) < 0.6)
        plan = np.cumsum(revised)  # plan id changes on a revision (ids need only differ within a match)
        base = (budgets[:, s] * rng.uniform(0.6, 1.0, n_m)[mi]).astype(np.int64)
        jitter = np.where(revised & (rng.random(n) < 0.8), rng.integers(-3, 4, n), 0)
        cost = base + np.cumsum(jitter) - np.cumsum(jitter)[start[mi]]
        cost = np.where(rng.random(n) < 0.04, budgets[:, s] + 5, cost)
        changed = np.where(k == 1, -1, np.concatenate([[0], plan[1:] != plan[:-1]]))
        cols[f"cost_{name}"] = cost
        cols[f"budget_{name}"] = budgets[:, s]
        cols[f"violations_{name}"] = np.where(rng.random(n) < 0.03, '[{"code":"x"}]', "[]").astype(object)
        changed_col = pd.array(changed, dtype="Int64")
        changed_col[changed < 0] = pd.NA  # round 1: not applicable
        cols[f"changed_{name}"] = changed_col
    rounds = pd.DataFrame(
        {
            "match_id": _text(ids[mi]),
            "round": k,
            "label": np.minimum(k, R),
            "winner": _text(winner),
            "reviser": _text(reviser),
            **{c: _text(v) if c.startswith("violations") else v for c, v in cols.items()},
        }
    )
    last = start + lens - 1
    matches = pd.DataFrame(
        {
            "match_id": ids,
            "fingerprint": np.array(["fp-" + g for g in GAMES], dtype=object)[game_of],
            "game": np.array(GAMES, dtype=object)[game_of],
            "model_a": models[a],
            "model_b": models[b],
            "rounds": R,
            "first_reviser": np.where(first == 0, "A", "B").astype(object),
            "seed": np.arange(n_m),
            "repetition": 0,
            "status": np.where(rng.random(n_m) < 0.01, "voided", "finished").astype(object),
            "winner": winner[last],
        }
    )
    # One decision per revision of each side plus two initial plans per match.
    dm = np.concatenate([mi[rev_side >= 0], np.arange(n_m), np.arange(n_m)])
    dside = np.concatenate([rev_side[rev_side >= 0], np.zeros(n_m, int), np.ones(n_m, int)])
    dmodel = np.where(dside == 0, models[a[dm]], models[b[dm]]).astype(object)
    nd = len(dm)
    fclass = np.array(["ok", "unparseable", "rule_violation", "over_budget", "truncated"], dtype=object)
    decisions = pd.DataFrame(
        {
            "match_id": ids[dm],
            "seq": np.arange(nd),
            "side": np.where(dside == 0, "A", "B").astype(object),
            "model": dmodel,
            "failure_class": fclass[rng.choice(5, nd, p=[0.9, 0.03, 0.03, 0.03, 0.01])],
            "input_tokens": rng.integers(500, 3000, nd),
            "output_tokens": rng.integers(50, 600, nd),
            "cost_usd": np.where(dmodel == "bot/random", 0.0, rng.uniform(0.0, 0.01, nd)),
            "reused": 0,
            "raw_text": "{}",
        }
    )
    for frame in (matches, decisions):
        for c in frame.columns:
            if frame[c].dtype == object:
                frame[c] = _text(frame[c].to_numpy()).array
    return StoreFrames(matches, rounds, decisions, source="<synthetic>")


def _text(values: object) -> pd.Series:
    """A text column as ``load_store`` reads one: pandas' ``str`` dtype on Arrow, NaN for missing."""
    return pd.Series(np.asarray(values, dtype=object), dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def reset_peak_rss() -> bool:
    """Return freed memory to the system and reset the kernel's peak RSS (Linux); False when not possible."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def print_rss(label: str) -> None:
    if os.environ.get("METRICS_BENCH_VERBOSE"):
        print(f"    [{label}: peak RSS so far {peak_rss_mb():.0f} MB]")


def measure(n_rounds: int, n_models: int, n_boot: int) -> dict[str, object]:
    """Build the data, run the analysis once; timings, memory and sizes."""
    t0 = time.perf_counter()
    frames = synthesize(n_rounds, n_models)
    t_data = time.perf_counter() - t0
    whole_peak_data = peak_rss_mb()
    reset = reset_peak_rss()
    steps: list[tuple[str, float, float]] = []
    start = time.perf_counter()
    cpu_start = cpu_prev = time.process_time()

    def step(name: str, t_prev: float) -> float:
        nonlocal cpu_prev
        now, cpu = time.perf_counter(), time.process_time()
        steps.append((name, now - t_prev, cpu - cpu_prev))
        cpu_prev = cpu
        return now

    t = start
    _ = sides_of(frames)
    t = step("side-rounds (shared derivation)", t)
    print_rss("after side-rounds")
    ratings = compute_ratings(frames, n_boot=n_boot, seed=0)
    t = step("ratings (per game + across games)", t)
    print_rss("after ratings")
    strat = compute_metrics(frames, "stratagem", n_boot=n_boot, seed=0, ratings=ratings)
    t = step("stratagem metrics", t)
    print_rss("after stratagem")
    adv = compute_metrics(frames, "advgamebench", n_boot=n_boot, seed=0, ratings=ratings)
    t = step("advgamebench metrics", t)
    print_rss("after advgamebench")
    corr = [compute_correlations(strat), compute_correlations(adv)]
    t = step("correlations (both sets)", t)
    fails = failure_table(frames)
    costs = cost_per_match(frames, n_boot=n_boot, seed=0)
    t = step("failure table + cost per match", t)
    return {
        "data": f"{len(frames.rounds):,} round records, {len(frames.matches):,} matches, "
        f"{len(frames.decisions):,} decisions, {n_models} models, {len(GAMES)} games",
        "t_data": t_data,
        "steps": steps,
        "wall": t - start,
        "cpu": time.process_time() - cpu_start,
        "peak_whole": max(whole_peak_data, peak_rss_mb()),
        "peak_analysis": peak_rss_mb() if reset else float("nan"),
        "rows": f"metrics {len(strat) + len(adv):,}, correlations {sum(len(c) for c in corr):,}, "
        f"failures {len(fails)}, costs {len(costs)}",
    }


def report(res: dict[str, object]) -> None:
    """Print one in-process measurement."""
    print(f"synthetic data: {res['data']} ({res['t_data']:.2f} s)")
    print(f"  {'step':<38} {'wall':>7} {'cpu':>7}")
    for name, dt, dc in res["steps"]:  # type: ignore[attr-defined]
        print(f"  {name:<38} {dt:6.2f}s {dc:6.2f}s")
    print(f"rows: {res['rows']}")
    wall, cpu = float(res["wall"]), float(res["cpu"])  # type: ignore[arg-type]
    whole, own = float(res["peak_whole"]), float(res["peak_analysis"])  # type: ignore[arg-type]
    print(
        f"wall time (analysis): {wall:.2f} s   target <= {TARGET_S:.0f} s   "
        f"{'OK' if wall <= TARGET_S else 'MISSED'}"
    )
    print(
        f"CPU time (analysis):  {cpu:.2f} s   (process CPU; wall exceeds it on a shared machine; "
        f"load average now {os.getloadavg()[0]:.1f})"
    )
    verdict = "OK" if own <= TARGET_MB else "MISSED"
    print(
        f"peak memory (RSS):    analysis {own:.0f} MB (data held included)   target <= {TARGET_MB} MB   "
        f"{verdict}"
    )
    print(f"                      whole process {whole:.0f} MB (imports and building the data included)")


def compare(args: argparse.Namespace) -> None:
    """Run this checkout and ``--base`` alternately in fresh processes; print best-of runs and ratios."""
    here = Path(__file__).resolve()
    sides = {"now": here.parent.parent, "base": args.base.resolve()}
    runs: dict[str, list[dict[str, object]]] = {k: [] for k in sides}
    for _ in range(args.repeats):
        for label, root in sides.items():
            env = dict(os.environ, PYTHONPATH=str(root))
            cmd = [
                sys.executable,
                str(here),
                "--child",
                "--rounds",
                str(args.rounds),
                "--models",
                str(args.models),
            ]
            out = subprocess.run(
                [*cmd, "--n-boot", str(args.n_boot)], env=env, capture_output=True, text=True
            )
            if out.returncode != 0:
                sys.exit(f"{label} failed:\n{out.stderr[-3000:]}")
            runs[label].append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = {k: min(v, key=lambda r: float(r["wall"])) for k, v in runs.items()}  # type: ignore[arg-type]
    print(f"synthetic data: {best['now']['data']}; best of {args.repeats}, fresh processes, alternating")
    print(f"  {'step':<38} {'now':>8} {'base':>8} {'ratio':>6}")
    for (name, dn, _), (_, db, _) in zip(best["now"]["steps"], best["base"]["steps"], strict=True):  # type: ignore[call-overload]
        print(f"  {name:<38} {dn:7.2f}s {db:7.2f}s {db / max(dn, 1e-9):5.1f}x")
    for key, label, unit in (
        ("wall", "wall time (analysis)", "s"),
        ("cpu", "CPU time (analysis)", "s"),
        ("peak_analysis", "peak RSS (analysis)", "MB"),
        ("peak_whole", "peak RSS (whole process)", "MB"),
    ):
        now, base = float(best["now"][key]), float(best["base"][key])  # type: ignore[arg-type]
        fmt = ".2f" if unit == "s" else ".0f"
        print(f"  {label:<38} {now:7{fmt}}{unit} {base:7{fmt}}{unit} {base / max(now, 1e-9):5.1f}x")
    walls = {k: ", ".join(f"{float(r['wall']):.2f}" for r in v) for k, v in runs.items()}  # type: ignore[arg-type]
    print(
        f"all runs (wall, s): now {walls['now']}; base {walls['base']}; load average {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=1_000_000)
    ap.add_argument("--models", type=int, default=50)
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--base", type=Path, default=None, help="checkout of the baseline commit to compare with")
    ap.add_argument("--repeats", type=int, default=3, help="runs per side with --base")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.base is not None:
        compare(args)
        return
    res = measure(args.rounds, args.models, args.n_boot)
    if args.child:
        print(json.dumps(res))
    else:
        report(res)


if __name__ == "__main__":
    main()
