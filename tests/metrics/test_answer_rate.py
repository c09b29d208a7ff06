"""Answer rate: hand-built decisions with known answers, the rates, the store cache, determinism."""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from answer_toy import ToyDuel, ToyDuelWithMargin
from bot_runs import run_bots
from metrics_builders import MatchSpec, build, write_store

from harness.store import ResultStore
from harness.store.lease import WriterLease
from metrics import answer_rate, compute_metrics, load_store
from metrics.answer_cache import TABLE
from metrics.answer_rate import answer_decisions
from metrics.errors import ParameterError
from metrics.report.tables import display_rows, leaderboard

HERE = Path(__file__).parent


def specs() -> list[MatchSpec]:
    """Toy matches (see answer_toy: 5-way rock-paper-scissors, B's wall 5 is unbeatable, budget 5)."""
    return [
        # alpha (A) vs beta (B), A revises first: rounds 2, 4, 6 are alpha's, 3, 5 beta's.
        MatchSpec(
            "m1", "toy", "x/alpha", "x/beta", "-ABBAB", [0, 1, 1, 3, 3, 2], [0, 0, 5, 5, 3, 3],
            plan_a=[0, 1, 1, 3, 3, 2], plan_b=[0, 0, 5, 5, 3, 3], budget=(5, 5),
        ),
        # Over budget (alpha's round 2), answering an over-budget plan, a violation (beta's round 5).
        MatchSpec(
            "m2", "toy", "x/alpha", "x/beta", "-BBABA", [0, 6, 6, 4, 4, 4], [0, 0, 2, 2, 9, 9],
            plan_a=[0, 1, 1, 4, 4, 4], plan_b=[0, 0, 2, 2, 3, 3], budget=(5, 5),
            viol_b=[False, False, False, False, True, True],
        ),
        # gamma faces the wall only: nothing beatable.
        MatchSpec(
            "m3", "toy", "x/gamma", "x/delta", "BBB", [0, 1, 1], [5, 5, 5],
            plan_a=[0, 1, 1], plan_b=[5, 5, 5], budget=(5, 5),
        ),
        # Simultaneous: each side answers the plan it saw (round 1), not the one it then met.
        MatchSpec(
            "m4", "toy", "x/epsilon", "x/zeta", "-B", [0, 1], [0, 2],
            plan_a=[0, 1], plan_b=[0, 2], budget=(5, 5), revision="simultaneous",
        ),
        # m1 again in a second game, so that the cross-game values combine two games.
        MatchSpec(
            "m5", "toy2", "x/alpha", "x/beta", "-ABBAB", [0, 1, 1, 3, 3, 2], [0, 0, 5, 5, 3, 3],
            plan_a=[0, 1, 1, 3, 3, 2], plan_b=[0, 0, 5, 5, 3, 3], budget=(5, 5),
        ),
    ]  # fmt: skip


class Counter:
    """A game factory counting every simulation of the games it builds."""

    def __init__(self, game_type: type[ToyDuel] = ToyDuelWithMargin) -> None:
        self.sims = 0
        self.game_type = game_type

    def __call__(self, name: str, ruleset: str, params_json: str) -> ToyDuel:
        game = self.game_type()
        inner = game.simulate

        def simulate(a: Any, b: Any) -> Any:
            self.sims += 1
            return inner(a, b)

        game.simulate = simulate  # type: ignore[method-assign]
        return game


def by_key(table: pd.DataFrame) -> dict[tuple[str, int, str], dict[str, Any]]:
    return {(r["match_id"], r["round"], r["side"]): r for r in table.to_dict("records")}


def value(long: pd.DataFrame, model: str, metric: str, game: str = "toy") -> tuple[float, int]:
    row = long.loc[(long.model == model) & (long.metric == metric) & (long.game == game)]
    assert len(row) == 1, (model, metric, game)
    return float(row["value"].iloc[0]), int(row["n"].iloc[0])


def test_decisions_with_known_answers() -> None:
    table = answer_decisions(build(specs()), sims=32, game_factory=Counter()).decisions
    d = by_key(table)
    expect = {  # (status, beatable, answered)
        ("m1", 2, "A"): ("scored", 1, 1),  # 1 beats 0
        ("m1", 3, "B"): ("scored", 1, 1),  # the wall beats 1
        ("m1", 4, "A"): ("scored", 0, 0),  # nothing beats the wall
        ("m1", 5, "B"): ("scored", 1, 0),  # 3 vs 3: no winner, a missed win
        ("m1", 6, "A"): ("scored", 1, 0),  # 2 loses to 3
        ("m2", 2, "A"): ("scored", 1, 0),  # 1 would beat 0, but the submission is over budget
        ("m2", 3, "B"): ("opponent_over_budget", 0, 1),  # any plan beats alpha's over-budget one: left out
        ("m2", 4, "A"): ("scored", 1, 1),  # 4 beats 2
        ("m2", 5, "B"): ("scored", 1, 0),  # the submission has a violation (and is over budget)
        ("m2", 6, "A"): ("opponent_over_budget", 0, 1),
        ("m3", 2, "A"): ("scored", 0, 0),
        ("m3", 3, "B"): ("scored", 1, 1),
        ("m4", 2, "A"): ("scored", 1, 1),  # 1 beats the 0 it saw, though round 2 lost to 2
        ("m4", 2, "B"): ("scored", 1, 1),  # 2 beats the 0 it saw
    }
    got = {k: (r["status"], r["beatable"], r["answered"]) for k, r in d.items() if k[0] != "m5"}
    assert got == expect
    assert d[("m1", 2, "A")]["model"] == "x/alpha" and d[("m1", 3, "B")]["model"] == "x/beta"
    # Margins: the best win against 0 is 2 (0.8); alpha won with 1 (0.4). The wall (0.9) is B's best.
    assert d[("m1", 2, "A")]["best_margin"] == 0.8 and d[("m1", 2, "A")]["answer_margin"] == 0.4
    assert d[("m1", 3, "B")]["best_margin"] == 0.9 and d[("m1", 3, "B")]["answer_margin"] == 0.9
    assert pd.isna(d[("m1", 4, "A")]["best_plan"]) and d[("m1", 5, "B")]["best_plan"] == '{"p":5}'


def test_rates_missed_wins_and_margin_share() -> None:
    frames = build(specs())
    table = answer_decisions(frames, sims=32, game_factory=Counter()).decisions
    long = compute_metrics(frames, n_boot=200, answers=table)
    # alpha in toy: m1 k2 answered (margin share 0.4 / 0.8), k4 unbeatable, k6 missed; m2 k2 missed (over
    # budget), k4 answered (share 0.8 / 0.8), k6 left out.
    assert value(long, "x/alpha", "ar") == (0.5, 4)
    assert value(long, "x/alpha", "missed_wins") == (2.0, 5)
    assert value(long, "x/alpha", "ar_margin") == (0.75, 2)
    assert value(long, "x/beta", "ar") == pytest.approx((1 / 3, 3))
    assert value(long, "x/beta", "ar_margin") == (1.0, 1)
    # toy2 holds only m1: alpha 1 of 2, beta 1 of 2. Across games: rates are means, counts are sums.
    assert value(long, "x/alpha", "ar", "toy2") == (0.5, 2)
    assert value(long, "x/alpha", "ar", "all") == (0.5, 6)
    assert value(long, "x/alpha", "missed_wins", "all") == (3.0, 8)
    # Undefined, not 0: gamma never had a beatable decision. Its count of missed wins is a true 0.
    ar, n = value(long, "x/gamma", "ar")
    assert math.isnan(ar) and n == 0
    assert value(long, "x/gamma", "missed_wins") == (0.0, 1)
    assert value(long, "x/delta", "ar") == (1.0, 1)
    assert value(long, "x/epsilon", "ar") == (1.0, 1) and value(long, "x/zeta", "ar") == (1.0, 1)
    row = long.loc[(long.model == "x/alpha") & (long.metric == "ar") & (long.game == "toy")].iloc[0]
    assert 0.0 <= row["lo"] <= 0.5 <= row["hi"] <= 1.0
    assert row["wilson_lo"] < 0.5 < row["wilson_hi"]
    counts = long.loc[long.metric == "missed_wins"]
    assert counts["lo"].isna().all() and counts["wilson_lo"].isna().all()


def test_undefined_ar_is_shown_as_a_dash() -> None:
    frames = build(specs())
    table = answer_decisions(frames, sims=32, game_factory=Counter()).decisions
    board = leaderboard(compute_metrics(frames, n_boot=50, answers=table))
    header, rows = display_rows(board, ["ar", "ar_margin", "missed_wins"])
    assert header == ["model", "AR", "AR margin", "Missed wins"]
    shown = {r[0]: r[1:] for r in rows}
    assert shown["x/gamma"] == ["—", "—", "0"]
    assert shown["x/alpha"][0].startswith("0.500 [") and shown["x/alpha"][2] == "3"


def test_game_without_a_margin_has_no_ar_margin() -> None:
    frames = build(specs())
    table = answer_decisions(frames, sims=32, game_factory=Counter(ToyDuel)).decisions
    assert table["best_margin"].isna().all() and table["answer_margin"].isna().all()
    long = compute_metrics(frames, n_boot=0, answers=table)
    margin, n = value(long, "x/alpha", "ar_margin")
    assert math.isnan(margin) and n == 0
    assert value(long, "x/alpha", "ar") == (0.5, 4)


def test_without_answers_or_plans_there_is_no_answer_rate() -> None:
    frames = build(specs())
    assert "ar" not in set(compute_metrics(frames, n_boot=0)["metric"])
    bare = type(frames).from_frames(frames.matches, frames.rounds.drop(columns=["plan_a", "plan_b"]))
    assert answer_decisions(bare, game_factory=Counter()).decisions.empty


def test_unknown_game_is_skipped_not_fatal() -> None:
    tab = answer_decisions(build(specs()[:1]), sims=4, workers=1)  # "toy" is not a registered game
    assert tab.decisions.empty and tab.no_engine == 5 and "skipped" in tab.note()


def test_bad_parameters() -> None:
    with pytest.raises(ParameterError):
        answer_decisions(build(specs()), sims=0)
    with pytest.raises(ParameterError):
        answer_decisions(build(specs()), workers=0)


def test_cache_second_computation_simulates_nothing(tmp_path: Path) -> None:
    path = write_store(build(specs()), tmp_path / "s.sqlite")
    counter = Counter()
    first = answer_decisions(load_store(path), sims=32, game_factory=counter)
    assert counter.sims > 0 and first.computed == len(first.decisions) and first.cache_note is None
    counter.sims = 0
    second = answer_decisions(load_store(path), sims=32, game_factory=counter)
    assert counter.sims == 0 and second.computed == 0 and second.cached == len(first.decisions)
    pd.testing.assert_frame_equal(first.decisions, second.decisions)
    assert "32 simulations" in second.note() and "from the store's cache" in second.cache_summary()
    # Another search budget is another key: computed again.
    other = answer_decisions(load_store(path), sims=8, game_factory=counter)
    assert counter.sims > 0 and other.computed == len(first.decisions)
    # A changed input (here, a plan) is recomputed, never trusted.
    con = sqlite3.connect(path)
    con.execute("""UPDATE rounds SET plan_a='{"p":2}' WHERE match_id='m1' AND round=2""")
    con.commit()
    con.close()
    counter.sims = 0
    changed = answer_decisions(load_store(path), sims=32, game_factory=counter)
    assert changed.computed == 2 and counter.sims > 0  # alpha's round 2, and beta's answer to it
    assert by_key(changed.decisions)[("m1", 2, "A")]["answer_margin"] == 0.8  # 2 beats 0 by 2
    # The derived table leaves the store a valid schema-version-1 store for both readers.
    with ResultStore(path, create=False) as store:
        assert store.counts()["finished"] == 5
    assert len(load_store(path).matches) == 5
    con = sqlite3.connect(path)
    keys = con.execute(f"SELECT COUNT(*), COUNT(DISTINCT sims) FROM {TABLE}").fetchone()
    version = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    con.close()
    assert keys == (2 * len(first.decisions), 2) and version == "1"


def test_read_only_store_is_reported_without_caching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_store(build(specs()), tmp_path / "s.sqlite")
    monkeypatch.setattr("metrics.answer_cache.os.access", lambda p, mode: False)
    counter = Counter()
    tab = answer_decisions(load_store(path), sims=32, game_factory=counter)
    assert tab.computed == len(tab.decisions) > 0 and tab.cache_note == "the store is read-only"
    assert "not cached: the store is read-only" in tab.cache_summary()
    con = sqlite3.connect(path)
    assert con.execute("SELECT name FROM sqlite_master WHERE name=?", (TABLE,)).fetchone() is None
    con.close()


def test_no_cache_write_while_a_live_writer_holds_the_store(tmp_path: Path) -> None:
    path = write_store(build(specs()), tmp_path / "s.sqlite")
    lease = WriterLease(path, "stratagem run test")
    con = sqlite3.connect(path, isolation_level=None)
    assert lease.try_acquire(con) is None  # held (no heartbeat thread: the row is fresh for 60 s)
    busy = answer_decisions(load_store(path), sims=32, game_factory=Counter())
    assert busy.cache_note is not None and busy.cache_note.startswith("the store is being written by pid")
    lease.release(con)
    con.close()
    counter = Counter()
    free = answer_decisions(load_store(path), sims=32, game_factory=counter)
    assert free.computed == len(free.decisions) and free.cache_note is None
    counter.sims = 0
    assert answer_decisions(load_store(path), sims=32, game_factory=counter).cached == len(free.decisions)
    assert counter.sims == 0


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = (
        "games: [{name: battle_card, ruleset: v1}, {name: tower_defense, ruleset: v1}]\n"
        "models: [bot/random, bot/search@sims=8]\npairing: round_robin\n"
        "settings: {sides: [A], first_reviser: [A, B]}\nprotocol: {rounds: 4}\n"
    )
    return run_bots(text, tmp_path_factory.mktemp("small") / "s.sqlite")


def test_workers_do_not_change_the_result(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frames = load_store(small_store)
    one = answer_decisions(frames, sims=16, workers=1, store=Path("/nonexistent/x.sqlite"))
    monkeypatch.setattr(answer_rate, "PARALLEL_MIN", 0)
    two = answer_decisions(frames, sims=16, workers=2, store=Path("/nonexistent/x.sqlite"))
    assert len(one.decisions) == 14 and one.cache_note is not None
    pd.testing.assert_frame_equal(one.decisions, two.decisions)


DIGEST = """
import hashlib, sys
from metrics import load_store
from metrics.answer_rate import answer_decisions
tab = answer_decisions(load_store(sys.argv[1]), sims=16, workers=1, store="/nonexistent/x.sqlite")
print(hashlib.sha256(tab.decisions.to_csv(index=False).encode()).hexdigest())
"""


def test_independent_of_pythonhashseed(small_store: Path) -> None:
    digests = set()
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", DIGEST, str(small_store)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(out.stdout.strip())
    here = answer_decisions(load_store(small_store), sims=16, workers=1, store="/nonexistent/x.sqlite")
    digests.add(hashlib.sha256(here.decisions.to_csv(index=False).encode()).hexdigest())
    assert len(digests) == 1
