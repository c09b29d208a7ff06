"""``stratagem run [--adaptive] --max-cost USD``: a clean stop before the limit, nothing lost, resumable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scripted_plans import example_reply
from typer.testing import CliRunner

from harness.cli.app import app
from harness.experiments import parse_experiment
from harness.experiments.jobs import MatchJob
from harness.models import pricing, register_script
from harness.models.pricing import Price
from harness.runner.adaptive_plan import Schedule
from harness.runner.budget import CostBudget
from harness.store import ResultStore, export_store
from harness.store.allocation_log import log_rows, read_log

PRICED = """\
name: priced
games: [battle_card]
models: [scripted/priced, bot/greedy, bot/random]
protocol: {rounds: 1}
seeds: [0, 1, 2]
"""
ADAPTIVE = """\
name: priced-adaptive
games: [battle_card]
models: [scripted/priced, bot/greedy, bot/random, bot/search@sims=16]
settings: [{side: A, first_reviser: A}, {side: B, first_reviser: A}]
protocol: {rounds: 1}
seeds: [0, 1]
"""
#: USD per million input tokens of ``scripted/priced`` (output is free): the estimate counts the prompts
#: as the model does, so estimates and costs agree closely.
INPUT_PRICE = 100.0

runner = CliRunner()


@pytest.fixture
def priced(monkeypatch: pytest.MonkeyPatch) -> None:
    """``scripted/priced`` replies with the game's example plan and has a price."""
    register_script("priced", example_reply)
    original = pricing.default_price

    def fake(provider: str, model: str) -> Price | None:
        return Price(INPUT_PRICE, 0.0) if provider == "scripted" else original(provider, model)

    monkeypatch.setattr(pricing, "default_price", fake)


def write(tmp_path: Path, text: str, store: Path) -> Path:
    exp = tmp_path / "e.yaml"
    exp.write_text(text + f"store: {store}\n")
    return exp


def run(exp: Path, *args: str) -> Any:
    result = runner.invoke(app, ["run", str(exp), "--concurrency", "1", *args])
    assert "Traceback" not in result.output, result.output
    return result


def spent(store: Path) -> tuple[float, int]:
    with ResultStore(store, readonly=True) as s:
        total, n = s.query("SELECT COALESCE(SUM(cost_usd), 0), COUNT(*) FROM matches")[0]
    return float(total), int(n)


def csv(tmp_path: Path, path: Path) -> dict[str, bytes]:
    out = tmp_path / f"{path.stem}-csv"
    export_store(path, out, "csv")
    return {t: (out / f"{t}.csv").read_bytes() for t in ("matches", "rounds", "decisions")}


def job(mid: str, bot: bool = False) -> MatchJob:
    a = "bot/greedy" if bot else "scripted/x"
    return MatchJob("e", "g", "v2", {}, a, "bot/random", {}, None, None, 0, 0, "fp", mid)


def test_the_ledger_refuses_a_match_that_would_pass_the_limit() -> None:
    budget = CostBudget(1.0, lambda j: 0.0 if j.bot_only else 0.3, spent=0.2)
    assert budget.admit(job("a")) and budget.admit(job("b"))  # 0.2 + 0.3 + 0.3 (+ 0.3 would be 1.1)
    assert budget.in_flight == pytest.approx(0.6)
    assert not budget.admit(job("c")) and budget.stopped
    assert not budget.admit(job("free", bot=True))  # once stopped, nothing new starts
    budget.settle(job("a"), 0.25, finished=True)
    assert budget.spent == pytest.approx(0.45) and budget.in_flight == pytest.approx(0.3)
    assert "spent $0.4500 of $1.00; rerun with a higher limit to go on" in budget.stop_line()


def test_a_side_swapped_pair_is_admitted_whole() -> None:
    budget = CostBudget(1.0, lambda j: 0.4)
    first, swap, other = job("1"), job("2"), job("3")
    budget.partners = {"1": swap, "2": first}
    assert budget.admit(first) and budget.in_flight == pytest.approx(0.8)  # its swap is reserved with it
    assert not budget.admit(other) and budget.stopped
    assert budget.admit(swap)  # reserved: it still starts after the stop


def test_max_cost_stops_before_the_limit_and_a_higher_limit_goes_on(tmp_path: Path, priced: None) -> None:
    store = tmp_path / "s.sqlite"
    exp = write(tmp_path, PRICED, store)
    first = run(exp, "--max-cost", "1.0")
    assert first.exit_code == 0, first.output
    assert "stopped at --max-cost 1: spent $" in first.output
    assert "of $1.00; rerun with a higher limit to go on" in first.output
    cost, n = spent(store)
    assert 0 < cost <= 1.0 and 0 < n < 36  # some matches played, the limit not passed
    # The same limit again: what is played (if anything: the estimates have the store's history now) still
    # keeps the spend within the limit.
    again = run(exp, "--max-cost", "1.0")
    assert again.exit_code == 0 and "stopped at --max-cost 1" in again.output
    cost, n = spent(store)
    assert cost <= 1.0 and n < 36
    higher = run(exp, "--max-cost", "20")
    assert higher.exit_code == 0, higher.output
    assert "stopped at" not in higher.output
    cost2, n2 = spent(store)
    assert cost < cost2 <= 20 and n2 == 36
    ref = tmp_path / "ref.sqlite"
    assert run(write(tmp_path, PRICED, ref)).exit_code == 0
    assert csv(tmp_path, store) == csv(tmp_path, ref)  # nothing lost, nothing twice


def test_max_cost_refuses_a_model_without_a_price(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register_script("priced", example_reply)
    monkeypatch.setattr(pricing, "default_price", lambda provider, model: None)
    store = tmp_path / "s.sqlite"
    result = run(write(tmp_path, PRICED, store), "--max-cost", "1")
    assert result.exit_code == 2
    lines = [ln for ln in result.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "no price is known for scripted/priced" in lines[0], result.output
    assert not store.exists()


def test_adaptive_max_cost_stops_on_whole_pairs_and_resumes(tmp_path: Path, priced: None) -> None:
    store = tmp_path / "s.sqlite"
    exp = write(tmp_path, ADAPTIVE, store)
    cap = ["--adaptive", "--max-matches", "60"]
    first = run(exp, *cap, "--max-cost", "1.0")
    assert first.exit_code == 0, first.output
    assert "stopped at --max-cost 1" in first.output
    cost, n = spent(store)
    assert 0 < cost <= 1.0 and 0 < n < 60
    plan = Schedule(parse_experiment(ADAPTIVE, "e.yaml")).plan_key()
    with ResultStore(store, readonly=True) as s:
        done = s.finished_ids()
        for e in read_log(s, plan):
            if e.kind == "pair":  # both matches of a side-swapped pair, or neither
                assert (e.match_ids[0] in done) == (e.match_ids[1] in done), e
    assert run(exp, *cap, "--max-cost", "2").exit_code == 0
    assert spent(store)[0] <= 2.0
    assert run(exp, *cap).exit_code == 0
    ref = tmp_path / "ref.sqlite"
    assert run(write(tmp_path, ADAPTIVE, ref), *cap).exit_code == 0
    assert csv(tmp_path, store) == csv(tmp_path, ref)
    with ResultStore(store, readonly=True) as a, ResultStore(ref, readonly=True) as b:
        assert log_rows(a) == log_rows(b)
