"""Metrics at scale: 1,000,000 synthetic round records (50 models, 3 games) → every metric in both definition
sets, correlations, failure table, and Bradley–Terry ratings, all with 1,000 bootstrap resamples.

Targets: <= 10 s wall and <= 2 GB peak memory for the analysis (the synthetic data is built first and its
time is printed separately; the peak RSS printed covers the whole process, data included).

Run: ``python benchmarks/metrics_scale.py [--rounds 1000000] [--models 50] [--n-boot 1000]``
"""

from __future__ import annotations

import argparse
import os
import resource
import time

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
            "match_id": ids[mi],
            "round": k,
            "label": np.minimum(k, R),
            "winner": winner,
            "reviser": reviser,
            **cols,
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
    return StoreFrames(matches, rounds, decisions, source="<synthetic>")


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def print_rss(label: str) -> None:
    if os.environ.get("METRICS_BENCH_VERBOSE"):
        print(f"    [{label}: peak RSS so far {peak_rss_mb():.0f} MB]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=1_000_000)
    ap.add_argument("--models", type=int, default=50)
    ap.add_argument("--n-boot", type=int, default=1000)
    args = ap.parse_args()

    t0 = time.perf_counter()
    frames = synthesize(args.rounds, args.models)
    t_data = time.perf_counter() - t0
    print(
        f"synthetic data: {len(frames.rounds):,} round records, {len(frames.matches):,} matches, "
        f"{len(frames.decisions):,} decisions, {args.models} models, {len(GAMES)} games ({t_data:.2f} s)"
    )

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
    ratings = compute_ratings(frames, n_boot=args.n_boot, seed=0)
    t = step("ratings (per game + across games)", t)
    print_rss("after ratings")
    strat = compute_metrics(frames, "stratagem", n_boot=args.n_boot, seed=0, ratings=ratings)
    t = step("stratagem metrics", t)
    print_rss("after stratagem")
    adv = compute_metrics(frames, "advgamebench", n_boot=args.n_boot, seed=0, ratings=ratings)
    t = step("advgamebench metrics", t)
    print_rss("after advgamebench")
    corr = [compute_correlations(strat), compute_correlations(adv)]
    t = step("correlations (both sets)", t)
    fails = failure_table(frames)
    costs = cost_per_match(frames, n_boot=args.n_boot, seed=0)
    t = step("failure table + cost per match", t)
    total = t - start
    cpu_total = time.process_time() - cpu_start

    print(f"  {'step':<38} {'wall':>7} {'cpu':>7}")
    for name, dt, dc in steps:
        print(f"  {name:<38} {dt:6.2f}s {dc:6.2f}s")
    print(
        f"rows: metrics {len(strat) + len(adv):,}, correlations {sum(len(c) for c in corr):,}, "
        f"failures {len(fails)}, costs {len(costs)}"
    )
    rss = peak_rss_mb()
    print(f"wall time (analysis): {total:.2f} s   target <= 10 s   {'OK' if total <= 10 else 'MISSED'}")
    print(
        f"CPU time (analysis):  {cpu_total:.2f} s   (process CPU; wall exceeds it on a shared machine; "
        f"load average now {os.getloadavg()[0]:.1f})"
    )
    print(f"peak memory (RSS):    {rss:.0f} MB   target <= 2048 MB   {'OK' if rss <= 2048 else 'MISSED'}")


if __name__ == "__main__":
    main()
