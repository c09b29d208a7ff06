"""Validity of the answer rate on a bots run, and where it appears in the report (never in advgamebench).

The run: tower defense (ruleset v1), round robin of bot/random, bot/search@sims=16 and bot/search@sims=256,
the four settings, seeds 0–2, 10 rounds: 36 matches, about 100 own-turn decisions per bot. Tower defense
is the game where the 16-simulation search bot still misses wins that 256 simulations find: in battle card
and the elemental duel (v1) both search bots answer nearly every beatable decision, and their intervals
overlap.

Figures at the default search budget (64 simulations per decision), 1,000 resamples, seed 0:

| model | ar | 95% bootstrap | Wilson | n (beatable) | missed wins |
|---|---|---|---|---|---|
| bot/search@sims=256 | 1.000 | [1.000, 1.000] | [0.963, 1.000] | 101 | 0 |
| bot/search@sims=16 | 0.812 | [0.706, 0.917] | [0.725, 0.876] | 101 | 19 |
| bot/random | 0.040 | [0.010, 0.082] | [0.016, 0.099] | 99 | 95 |
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from bot_runs import run_bots

from metrics import compute_metrics, load_store
from metrics.answer_rate import answer_decisions
from metrics.report import write_report
from metrics.report.tables import metrics_csv

STRONG, WEAK, RANDOM = "bot/search@sims=256", "bot/search@sims=16", "bot/random"
RUN = f"""
games: [{{name: tower_defense, ruleset: v1}}]
models: [{RANDOM}, {WEAK}, {STRONG}]
pairing: round_robin
settings: {{sides: [A, B], first_reviser: [A, B]}}
protocol: {{rounds: 10, revision: alternate}}
seeds: [0, 1, 2]
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_bots(RUN, tmp_path_factory.mktemp("validity") / "bots.sqlite")


@pytest.fixture(scope="module")
def long(store: Path) -> pd.DataFrame:
    frames = load_store(store)
    answers = answer_decisions(frames)  # the default budget; fills the store's cache for the tests below
    return compute_metrics(frames, n_boot=1000, seed=0, answers=answers.decisions, with_ratings=False)


def ar_row(long: pd.DataFrame, model: str) -> pd.Series:
    rows = long.loc[(long.model == model) & (long.metric == "ar") & (long.game == "tower_defense")]
    assert len(rows) == 1
    return rows.iloc[0]


def test_ar_orders_the_search_budgets_with_separated_intervals(long: pd.DataFrame) -> None:
    strong, weak, rand = (ar_row(long, m) for m in (STRONG, WEAK, RANDOM))
    print(
        {
            m: (r["value"], r["lo"], r["hi"], r["n"])
            for m, r in ((STRONG, strong), (WEAK, weak), (RANDOM, rand))
        }
    )
    assert strong["value"] > weak["value"] > rand["value"]
    assert strong["lo"] > weak["hi"] and weak["lo"] > rand["hi"]  # 95% match-clustered bootstrap
    assert strong["wilson_lo"] > weak["wilson_hi"] and weak["wilson_lo"] > rand["wilson_hi"]
    assert min(strong["n"], weak["n"], rand["n"]) >= 60
    missed = long.loc[(long.metric == "missed_wins") & (long.game == "all")].set_index("model")["value"]
    assert missed[STRONG] < missed[WEAK] < missed[RANDOM]


def test_report_shows_ar_in_the_leaderboard_and_per_game_tables(store: Path, tmp_path: Path) -> None:
    res = write_report(store, tmp_path / "rep", n_boot=50)
    assert res.answers is not None and res.answers.computed == 0  # the fixture above cached everything
    board = (tmp_path / "rep" / "leaderboard.md").read_text()
    assert (
        "| AR | AR margin | Missed wins |" in board and "Answer rate (ar = P(answered | beatable))" in board
    )
    per_game = (tmp_path / "rep" / "per_game" / "tower_defense.md").read_text()
    assert "| AR | AR margin | Missed wins |" in per_game
    assert "AR margin" in (tmp_path / "rep" / "report.html").read_text()
    metrics = pd.read_csv(tmp_path / "rep" / "metrics.csv")
    assert {"ar", "ar_margin", "missed_wins"} <= set(metrics["metric"])
    decisions = pd.read_csv(tmp_path / "rep" / "answer_rate.csv")
    assert len(decisions) == len(res.answers.decisions) > 300


def test_advgamebench_mode_is_untouched(store: Path, tmp_path: Path) -> None:
    res = write_report(store, tmp_path / "a", definitions="advgamebench", n_boot=50)
    assert res.answers is None and not (tmp_path / "a" / "answer_rate.csv").exists()
    assert not {"ar", "ar_margin", "missed_wins"} & set(res.metrics["metric"])
    frames = load_store(store)
    plain = compute_metrics(frames, "advgamebench", n_boot=50)
    assert (tmp_path / "a" / "metrics.csv").read_text() == metrics_csv(plain)
    answers = answer_decisions(frames).decisions
    pd.testing.assert_frame_equal(plain, compute_metrics(frames, "advgamebench", n_boot=50, answers=answers))
