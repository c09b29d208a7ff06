"""Adaptive allocation against a uniform round robin: matches until the leaderboard's known order is settled.

Population: ``bot/random``, ``bot/greedy`` and ``bot/search@sims=k`` for k = 1, 2, 4, …, 256, in one game
(battle card by default), a few rounds per match. Their *known* order is the nominal one: random <
greedy < search with more simulations.

1. **Order check.** A large uniform run (``--check-rr`` round robins of side-swapped pairs, its own seed)
   is fitted; a pair whose nominal order that run does not settle (bots that play alike, e.g. greedy and
   ``search@sims=1`` in battle card) is dropped: the stronger one goes, and the check is redone on the
   rest, until every adjacent pair of the population is settled in its nominal order.
2. **Per seed** (``--seeds``; the experiment's ``seeds: [s]``, so match seeds and bootstrap seeds change):
   * adaptive: ``run_adaptive`` (what ``stratagem run --adaptive`` runs) into a fresh store; matches
     needed = the matches scheduled when it stopped, if the order it stopped at is the known one;
   * uniform: round robin after round robin (unit r of every pair: the same jobs the adaptive run uses),
     the same leaderboard and criterion after each one; matches needed = the matches played when it is
     first settled in the known order.
   Both are capped (``--cap`` matches); "matches needed" uses the same definition of settled
   (:mod:`harness.runner.adaptive_fit`: every adjacent pair's rating difference has a bootstrap interval
   at the confidence above 0).
3. Prints per seed the two counts and their ratio, then the median ratio against the target (≤ 0.5×) and
   how it varies over the seeds.

    python benchmarks/adaptive_allocation.py [--game battle_card] [--rounds 2] [--seeds 5] [--work DIR]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from harness.experiments import parse_experiment
from harness.experiments.config import ExperimentConfig
from harness.runner import RunOptions, run_jobs
from harness.runner.adaptive import AdaptiveOptions, read_scores, run_adaptive
from harness.runner.adaptive_fit import Leaderboard, MatchScore, fit_leaderboard
from harness.runner.adaptive_plan import Schedule, batch_seed
from harness.store import ResultStore

NOMINAL = ["bot/random", "bot/greedy", *(f"bot/search@sims={2**i}" for i in range(9))]  # weakest first
TARGET = 0.5
CONFIDENCE = 0.95
N_BOOT = 200


def experiment(game: str, models: list[str], rounds: int, seed: int) -> ExperimentConfig:
    text = (
        f"name: adaptive-bench\ngames: [{game}]\nmodels: [{', '.join(models)}]\n"
        "settings: [{side: A, first_reviser: A}, {side: B, first_reviser: A}]\n"
        f"protocol: {{rounds: {rounds}}}\nseeds: [{seed}]\n"
    )
    return parse_experiment(text, "adaptive-bench.yaml")


def known(board: Leaderboard, models: list[str]) -> bool:
    """Whether ``board`` is settled in the nominal order of ``models`` (strongest first)."""
    return board.settled and list(board.order) == sorted(models, key=NOMINAL.index, reverse=True)


class Uniform:
    """Round robins of side-swapped pairs into one store, fitted after each."""

    def __init__(self, config: ExperimentConfig, path: Path) -> None:
        self.schedule = Schedule(config)
        self.store = ResultStore(path)
        self.store.acquire_lease("benchmark")
        self.run_id = self.store.start_run(config.name, "{}")
        self.ids: list[str] = []
        self.scores: dict[str, MatchScore] = {}

    def play(self, r: int) -> None:
        jobs = [j for p in self.schedule.pairs for j in self.schedule.unit(self.schedule.games[0], p, r).jobs]
        run_jobs(jobs, self.store, run_id=self.run_id, options=RunOptions(progress=False))
        ids = [j.match_id for j in jobs]
        self.ids += ids
        self.scores.update(read_scores(self.store, ids))

    def fit(self, models: list[str], seed: int) -> Leaderboard:
        keep = set(models)
        scores = [s for s in self.scores.values() if s.model_a in keep and s.model_b in keep]
        return fit_leaderboard(
            scores, models, self.schedule.games, confidence=CONFIDENCE, n_boot=N_BOOT, seed=seed
        )

    def close(self) -> None:
        self.store.close()


def check_order(game: str, rounds: int, rr: int, work: Path) -> list[str]:
    """Play the large uniform run and keep the models whose nominal order it settles (module docstring).

    Bottom up: a model is kept when, fitted with the models kept so far (their matches only), it is settled
    above the strongest of them; then the kept population is fitted as a whole and must be settled in the
    nominal order.
    """
    t0 = time.perf_counter()
    uni = Uniform(experiment(game, NOMINAL, rounds, 99), work / "check.sqlite")
    for r in range(rr):
        uni.play(r)
    print(f"order check: {len(uni.ids)} matches ({rr} round robins of {len(NOMINAL)} bots), seed 99")
    kept = [NOMINAL[0]]
    for model in NOMINAL[1:]:
        board = uni.fit([*kept, model], seed=1)
        top = board.pairs[0]
        if board.order[0] == model and top.lower == kept[-1] and top.settled:
            kept.append(model)
        else:
            p = next(q for q in board.pairs if {q.upper, q.lower} & {model})
            print(
                f"  drop {model}: not settled above {kept[-1]}"
                f" ({p.upper} - {p.lower}: {p.diff:+.0f} [{p.lo:.0f}, {p.hi:.0f}])"
            )
    board = uni.fit(kept, seed=1)
    uni.close()
    print(
        f"  kept {len(kept)}: {' < '.join(kept)}; all adjacent pairs settled in that order:"
        f" {known(board, kept)} ({time.perf_counter() - t0:.0f} s)"
    )
    return kept


def adaptive_needed(
    config: ExperimentConfig, models: list[str], path: Path, cap: int, rule: str
) -> tuple[int | None, str]:
    with ResultStore(path) as store:
        store.acquire_lease("benchmark")
        run_id = store.start_run(config.name, "{}")
        out = run_adaptive(
            config,
            store,
            run_id=run_id,
            options=RunOptions(progress=False),
            adaptive=AdaptiveOptions(confidence=CONFIDENCE, n_boot=N_BOOT, max_matches=cap, rule=rule),
        )
    if out.stop == "settled" and out.board is not None and known(out.board, models):
        return out.scheduled, f"{out.batches} batches"
    return None, f"{out.stop} after {out.scheduled}" + ("" if out.stop != "settled" else " (wrong order)")


def uniform_needed(
    config: ExperimentConfig, models: list[str], path: Path, cap: int
) -> tuple[int | None, str]:
    uni = Uniform(config, path)
    plan = uni.schedule.plan_key()
    try:
        r = 0
        while len(uni.ids) + 2 * len(uni.schedule.pairs) <= cap:
            uni.play(r)
            r += 1
            if known(uni.fit(models, seed=batch_seed(plan, r)), models):
                return len(uni.ids), f"{r} round robins"
        return None, f"cap {cap}"
    finally:
        uni.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="battle_card")
    parser.add_argument("--rounds", type=int, default=2, help="protocol.rounds of every match")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--check-rr", type=int, default=40, help="round robins of the order check")
    parser.add_argument("--cap", type=int, default=4000, help="matches at most per method and seed")
    parser.add_argument("--rule", default="information", choices=["information", "adjacent"])
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None, help="folder for the stores (default: a temp one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="adaptive_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    models = check_order(args.game, args.rounds, args.check_rr, work)
    print(f"\n{args.game}, {args.rounds} rounds, confidence {CONFIDENCE}, n_boot {N_BOOT}, cap {args.cap}")
    print(f"{'seed':>4}  {'adaptive':>18}  {'uniform':>22}  {'ratio':>6}  {'time':>6}")
    ratios = []
    totals = [0, 0]
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        t0 = time.perf_counter()
        config = experiment(args.game, models, args.rounds, seed)
        a, a_note = adaptive_needed(
            config, models, work / f"adaptive-{args.rule}-{seed}.sqlite", args.cap, args.rule
        )
        u, u_note = uniform_needed(config, models, work / f"uniform-{seed}.sqlite", args.cap)
        ratio = a / u if a is not None and u is not None else None
        if ratio is not None and a is not None and u is not None:
            ratios.append(ratio)
            totals[0] += a
            totals[1] += u
        cell_a = f"{a if a is not None else '-'} ({a_note})"
        cell_u = f"{u if u is not None else '-'} ({u_note})"
        shown = f"{ratio:.2f}" if ratio is not None else "-"
        print(f"{seed:>4}  {cell_a:>18}  {cell_u:>22}  {shown:>6}  {time.perf_counter() - t0:5.0f}s")
    if ratios:
        med = statistics.median(ratios)
        verdict = "meets" if med <= TARGET else "misses"
        print(
            f"median ratio {med:.2f}x over {len(ratios)} seeds (range {min(ratios):.2f}-{max(ratios):.2f}x):"
            f" {verdict} the target <= {TARGET}x; all seeds together {totals[0]}/{totals[1]} ="
            f" {totals[0] / totals[1]:.2f}x"
        )
    else:
        print("no seed settled the known order within the cap for both methods")


if __name__ == "__main__":
    main()
