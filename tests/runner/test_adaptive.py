"""``stratagem run --adaptive``: its criterion, its side-swapped schedule, determinism, caps, ``report``."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.cli.app import app
from harness.experiments import JobPlan, parse_experiment
from harness.experiments.config import ExperimentConfig
from harness.runner import RunOptions
from harness.runner.adaptive import AdaptiveOptions, AdaptiveOutcome, read_scores, run_adaptive
from harness.runner.adaptive_fit import fit_leaderboard
from harness.runner.adaptive_plan import Schedule, batch_seed
from harness.store import ResultStore, export_store
from harness.store.allocation_log import log_rows, read_log
from metrics import compute_ratings, load_store

TINY = """\
name: tiny
games: [battle_card]
models: [bot/random, bot/greedy, bot/search@sims=16, bot/search@sims=64]
settings: [{side: A, first_reviser: A}, {side: B, first_reviser: A}]
protocol: {rounds: 2}
seeds: [0, 1]
"""

runner = CliRunner()


def config(text: str = TINY) -> ExperimentConfig:
    return parse_experiment(text, "tiny.yaml", default_name="tiny")


def adaptive_run(path: Path, cfg: ExperimentConfig | None = None, **kw: Any) -> AdaptiveOutcome:
    with ResultStore(path) as store:
        store.acquire_lease("test")
        run_id = store.start_run("tiny", "{}")
        return run_adaptive(
            cfg or config(),
            store,
            run_id=run_id,
            options=RunOptions(progress=False),
            adaptive=AdaptiveOptions(**kw),
        )


def exported(tmp_path: Path, path: Path) -> dict[str, bytes]:
    out = tmp_path / f"{path.stem}-csv"
    export_store(path, out, "csv")
    return {t: (out / f"{t}.csv").read_bytes() for t in ("matches", "rounds", "decisions")}


def logged(path: Path) -> list[tuple[Any, ...]]:
    with ResultStore(path, readonly=True) as store:
        return log_rows(store)


def test_adaptive_stops_by_its_criterion_and_the_last_fit_is_settled(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    out = adaptive_run(path)
    assert out.stop == "settled"
    assert out.board is not None and out.board.settled
    assert out.board.n_settled == len(out.board.pairs) == 3
    cfg = config()
    schedule = Schedule(cfg)
    with ResultStore(path, readonly=True) as store:
        log = read_log(store, schedule.plan_key())
        ids = [mid for e in log if e.kind == "pair" for mid in e.match_ids]
        assert store.finished_ids() == set(ids)  # the store holds the schedule, all finished, nothing else
        # the stop row comes after the last batch, and refitting what the batches played says the same
        assert log[-1].kind == "stop" and log[-1].batch == out.batches
        scores = read_scores(store, ids)
    board = fit_leaderboard(
        list(scores.values()),
        schedule.models,
        schedule.games,
        confidence=0.95,
        n_boot=200,
        seed=batch_seed(schedule.plan_key(), out.batches),
    )
    assert board.settled and board.order == out.board.order
    # batches before the last were not settled (else the run would have stopped there)
    assert all(e.reason["settled"] != "3/3" for e in log if e.kind == "pair" and e.batch > 0)


def test_every_pair_is_played_in_side_swapped_pairs(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    adaptive_run(path)
    schedule = Schedule(config())
    with ResultStore(path, readonly=True) as store:
        log = read_log(store, schedule.plan_key())
        rows = {m["match_id"]: m for m in store.iter_matches()}
    sequence: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)  # side A's model, in order
    units: dict[tuple[str, frozenset[str]], list[int]] = defaultdict(list)
    for e in log:
        if e.kind != "pair":
            continue
        first, swap = (rows[mid] for mid in e.match_ids)
        assert (first["model_a"], first["model_b"]) == (e.model_1, e.model_2)
        assert (swap["model_a"], swap["model_b"]) == (e.model_2, e.model_1)  # the same match, sides swapped
        for key in ("seed", "repetition", "first_reviser", "fingerprint", "game"):
            assert first[key] == swap[key], key
        pair = (str(e.game), frozenset((str(e.model_1), str(e.model_2))))
        sequence[pair] += [first["model_a"], swap["model_a"]]
        units[pair].append(int(e.unit or 0))
    assert len(sequence) == 6  # every pair of the round robin
    for pair, sides in sequence.items():
        assert all(a != b for a, b in pairwise(sides)), pair  # never one side twice
        assert units[pair] == list(range(len(units[pair]))), pair  # units 0, 1, 2, … in order


def test_adaptive_matches_are_ordinary_jobs_of_the_experiment(tmp_path: Path) -> None:
    cfg = config()
    schedule = Schedule(cfg)
    planned = {j.match_id: j for j in JobPlan(cfg)}  # 6 pairs x 2 settings x 2 seeds
    units = [schedule.unit("battle_card", p, n) for p in schedule.pairs for n in range(2)]
    ids = {j.match_id for u in units for j in u.jobs}
    assert ids == set(planned)  # units 0-1 of every pair are the uniform plan's matches
    # past the seeds, the next repetition: what the experiment with more repetitions plays
    more = {j.match_id for j in JobPlan(config(TINY + "repetitions: 2\n"))}
    units = [schedule.unit("battle_card", p, n) for p in schedule.pairs for n in range(4)]
    assert {j.match_id for u in units for j in u.jobs} == more


def test_two_runs_give_identical_stores_and_logs(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    adaptive_run(a)
    adaptive_run(b)
    assert exported(tmp_path, a) == exported(tmp_path, b)
    assert logged(a) == logged(b) and logged(a)


def test_a_cap_cuts_the_schedule_and_a_rerun_goes_on_as_if_uncapped(tmp_path: Path) -> None:
    ref, capped = tmp_path / "ref.sqlite", tmp_path / "capped.sqlite"
    full = adaptive_run(ref)
    assert full.scheduled > 14
    out = adaptive_run(capped, max_matches=15)  # rounded down to whole side-swapped pairs
    assert out.stop == "max_matches"
    with ResultStore(capped, readonly=True) as store:
        assert len(store.finished_ids()) == 14
    again = adaptive_run(capped, max_matches=15)  # the same cap: nothing more is played
    assert again.stats.finished == 0 and again.stop == "max_matches"
    adaptive_run(capped)
    assert exported(tmp_path, capped) == exported(tmp_path, ref)
    assert logged(capped) == logged(ref)


def test_the_fit_agrees_with_the_reports_ratings(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    out = adaptive_run(path)
    assert out.board is not None
    table = compute_ratings(load_store(path), n_boot=0).table
    report = {r.model: r.rating for r in table[table.game == "all"].itertuples()}
    assert report == pytest.approx(out.board.ratings, abs=1e-6)


def test_report_works_on_an_adaptive_store(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    adaptive_run(path)
    out = str(tmp_path / "rep")
    result = runner.invoke(app, ["report", str(path), "--out", out, "--no-matches", "--no-answer-rate"])
    assert result.exit_code == 0, result.output
    assert "bot/search@sims=64" in (tmp_path / "rep" / "leaderboard.md").read_text()


def test_the_cli_runs_adaptively_and_resumes(tmp_path: Path) -> None:
    exp = tmp_path / "tiny.yaml"
    store = tmp_path / "cli.sqlite"
    exp.write_text(TINY + f"store: {store}\n")
    first = runner.invoke(app, ["run", str(exp), "--adaptive", "--max-matches", "12"])
    assert first.exit_code == 0, first.output
    assert "stopped at --max-matches 12" in first.output
    second = runner.invoke(app, ["run", str(exp), "--adaptive"])
    assert second.exit_code == 0, second.output
    assert "every adjacent pair is separated" in second.output
    ref = tmp_path / "ref.sqlite"
    adaptive_run(ref)
    assert exported(tmp_path, store) == exported(tmp_path, ref)
    assert logged(store) == logged(ref)


@pytest.mark.parametrize(
    ("extra", "yaml", "message"),
    [
        (["--confidence", "1.5"], TINY, "--confidence must be between 0 and 1"),
        (["--confidence", "0"], TINY, "--confidence must be between 0 and 1"),
        (["--max-cost", "-1"], TINY, "--max-cost must not be negative"),
        (["--executor", "ray"], TINY, "--adaptive and --max-cost run on the asyncio executor"),
        (["--n-boot", "0"], TINY, "--n-boot must be at least 1"),
        (
            [],
            "name: one\ngames: [battle_card]\nmodels: [bot/greedy]\n"
            "pairing: {mode: round_robin, self_play: true}\n",
            "--adaptive needs at least 2 models",
        ),
        (
            [],
            "name: p\ngames: [battle_card]\nmodels: [bot/greedy]\n"
            "pairing: {mode: vs_panel, panel: [bot/random]}\n",
            "--adaptive needs pairing: round_robin",
        ),
    ],
)
def test_bad_adaptive_options_exit_2_with_one_line(
    tmp_path: Path, extra: list[str], yaml: str, message: str
) -> None:
    exp = tmp_path / "e.yaml"
    store = tmp_path / "s.sqlite"
    exp.write_text(yaml + f"store: {store}\n")
    result = runner.invoke(app, ["run", str(exp), "--adaptive", *extra])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0], result.output
    assert not store.exists()  # nothing is written


def test_confidence_without_adaptive_is_refused(tmp_path: Path) -> None:
    exp = tmp_path / "e.yaml"
    exp.write_text(TINY + f"store: {tmp_path / 's.sqlite'}\n")
    result = runner.invoke(app, ["run", str(exp), "--confidence", "0.9"])
    assert result.exit_code == 2 and "add --adaptive" in result.output
