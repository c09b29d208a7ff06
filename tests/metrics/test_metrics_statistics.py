"""Intervals, correlations, bootstrap coverage, Bradley–Terry ratings, failure table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from metrics_builders import MatchSpec, build
from scipy import stats

from metrics import compute_correlations, compute_ratings, correlate, cost_per_match, failure_table
from metrics.definitions_stratagem import STATS, cell_replicates
from metrics.intervals import percentile_interval, stable_rng, wilson
from metrics.resampling import fast_counts


def test_wilson_known_values() -> None:
    lo, hi = wilson(np.array([0.0, 5.0, 10.0]), np.array([10.0, 10.0, 10.0]))
    # Textbook values (Newcombe 1998): 0/10 → [0, 0.2775]; 5/10 → [0.2366, 0.7634]; 10/10 → [0.7225, 1].
    np.testing.assert_allclose(lo, [0.0, 0.236593, 0.722467], atol=1e-5)
    np.testing.assert_allclose(hi, [0.277533, 0.763407, 1.0], atol=1e-5)
    lo0, hi0 = wilson(0.0, 0.0)
    assert math.isnan(float(lo0)) and math.isnan(float(hi0))


def test_correlations_equal_scipy() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=12)
    y = -0.5 * x + rng.normal(size=12)
    res = correlate(x, y)
    pr, sr = stats.pearsonr(x, y), stats.spearmanr(x, y)
    assert res["n"] == 12
    assert res["pearson_r"] == pytest.approx(pr.statistic) and res["pearson_p"] == pytest.approx(pr.pvalue)
    assert res["spearman_rho"] == pytest.approx(sr.statistic) and res["spearman_p"] == pytest.approx(
        sr.pvalue
    )
    z = np.arctanh(pr.statistic)
    assert res["pearson_lo"] == pytest.approx(np.tanh(z - 1.959964 / 3.0), abs=1e-6)
    assert res["pearson_hi"] == pytest.approx(np.tanh(z + 1.959964 / 3.0), abs=1e-6)
    # NaNs are dropped pairwise.
    x2, y2 = np.append(x, np.nan), np.append(y, 3.0)
    assert correlate(x2, y2)["pearson_r"] == pytest.approx(pr.statistic)


def test_correlations_undefined_cases() -> None:
    assert math.isnan(correlate(np.array([1.0, 2.0]), np.array([2.0, 1.0]))["pearson_r"])  # n < 3
    flat = correlate(np.array([1.0, 2.0, 3.0, 4.0]), np.array([5.0, 5.0, 5.0, 5.0]))
    assert math.isnan(flat["pearson_r"]) and math.isnan(flat["spearman_rho"]) and flat["n"] == 4
    three = correlate(np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 2.0]))
    assert not math.isnan(three["pearson_r"]) and math.isnan(three["pearson_lo"])  # Fisher z needs n ≥ 4


def test_correlation_table_across_models() -> None:
    rng = np.random.default_rng(1)
    models = [f"m{i}" for i in range(6)]
    rows = []
    for game in ("battle_card", "all"):
        for m in models:
            for metric in ("wr", "orr", "csr"):
                rows.append(
                    {
                        "model": m,
                        "game": game,
                        "definitions": "stratagem",
                        "metric": metric,
                        "value": rng.random(),
                        "lo": np.nan,
                        "hi": np.nan,
                        "n": 5,
                    }
                )
    long = pd.DataFrame(rows)
    corr = compute_correlations(long)
    assert len(corr) == 2 * 3
    row = corr.loc[(corr.game == "all") & (corr.metric_x == "wr") & (corr.metric_y == "orr")].iloc[0]
    sub = long.loc[long.game == "all"].pivot(index="model", columns="metric", values="value")
    assert row["pearson_r"] == pytest.approx(stats.pearsonr(sub["wr"], sub["orr"]).statistic)


def test_bootstrap_covers_truth_at_nominal_rate() -> None:
    # Clustered binary outcomes: each match has its own win probability (Beta(6, 4), mean 0.6) and 5 own
    # turns. The percentile interval of WR from the match bootstrap should cover 0.6 about 95% of the time.
    rng = np.random.default_rng(2024)
    n_sets, n_matches, turns, n_boot = 300, 40, 5, 400
    covered = 0
    for i in range(n_sets):
        p = rng.beta(6, 4, n_matches)
        wins = rng.binomial(turns, p)
        st = np.zeros((n_matches, len(STATS)))
        st[:, STATS.index("n")] = turns
        st[:, STATS.index("sw")] = wins
        counts = fast_counts(stable_rng(i, "coverage"), n_matches, n_boot).astype(np.float64)
        reps = cell_replicates(st, counts)[:, 0]  # wr
        lo, hi = percentile_interval(reps)
        covered += bool(lo <= 0.6 <= hi)
    rate = covered / n_sets
    assert 0.89 <= rate <= 0.99, rate


def test_fast_counts_are_multinomial() -> None:
    counts = fast_counts(stable_rng(0, "x"), 50, 2000)
    assert counts.shape == (50, 2000)
    assert (counts.sum(axis=0) == 50).all()
    assert counts.mean() == pytest.approx(1.0)
    assert counts.var() == pytest.approx(1 - 1 / 50, rel=0.05)  # multinomial(50, 1/50) marginal variance


def bt_league(theta: dict[str, float], side: float, per_pair: int, seed: int) -> list[MatchSpec]:
    rng = np.random.default_rng(seed)
    specs = []
    names = list(theta)
    for a in names:
        for b in names:
            if a == b:
                continue
            for r in range(per_pair):
                p = 1 / (1 + math.exp(-(theta[a] - theta[b] + side)))
                w = "".join("A" if u < p else "B" for u in rng.random(10))
                specs.append(MatchSpec(f"{a}-{b}-{r}", "tower_defense", a, b, w, [1] * 10, [1] * 10, seed=r))
    return specs


def test_bradley_terry_recovers_known_strengths() -> None:
    theta = {"bot/random": 0.0, "m/a": 0.5, "m/b": 1.0, "m/c": -0.5, "m/d": 1.5}
    frames = build(bt_league(theta, side=0.3, per_pair=15, seed=7))
    r = compute_ratings(frames, n_boot=200, seed=1)
    t = r.table.loc[r.table.game == "tower_defense"].set_index("model")
    scale = 400 / math.log(10)
    inside = 0
    for m, th in theta.items():
        truth = 1000 + scale * th
        est, lo, hi = (float(t[c].loc[m]) for c in ("rating", "lo", "hi"))
        assert abs(est - truth) < 60, (m, est, truth)
        inside += lo - 1e-9 <= truth <= hi + 1e-9
    assert inside >= len(theta) - 1  # 95% intervals: at most one miss among five
    assert t.loc["bot/random", "rating"] == 1000 and t.loc["bot/random", "lo"] == 1000
    assert r.anchors["tower_defense"] == "bot/random"
    h = r.side_advantage.set_index("game").loc["tower_defense"]
    assert h["lo"] <= 0.3 <= h["hi"]
    # The cross-game fit of a single game is the same fit.
    allg = r.table.loc[r.table.game == "all"].set_index("model")
    np.testing.assert_allclose(allg["rating"], t["rating"], atol=1e-6)


def test_ratings_without_bot_random_anchor_mean() -> None:
    theta = {"m/a": 0.0, "m/b": 1.0, "m/c": -1.0}
    r = compute_ratings(build(bt_league(theta, side=0.0, per_pair=5, seed=3)), n_boot=0)
    t = r.table.loc[r.table.game == "all"]
    assert t["rating"].mean() == pytest.approx(1000.0)
    assert r.anchors["all"] == "mean" and "mean" in r.notes()[0]


def test_ratings_equal_game_weights_across_games() -> None:
    # Game 2 has far more rounds and an opposite ordering; each game counts equally across games, so a
    # and b end up level.
    specs = [MatchSpec(f"g1-{i}", "battle_card", "m/a", "m/b", "AAAAA", [1] * 5, [1] * 5) for i in range(2)]
    specs += [MatchSpec(f"g1r-{i}", "battle_card", "m/b", "m/a", "BBBBB", [1] * 5, [1] * 5) for i in range(2)]
    specs += [
        MatchSpec(f"g2-{i}", "elemental_duel", "m/a", "m/b", "BBBBB", [1] * 5, [1] * 5) for i in range(20)
    ]
    specs += [
        MatchSpec(f"g2r-{i}", "elemental_duel", "m/b", "m/a", "AAAAA", [1] * 5, [1] * 5) for i in range(20)
    ]
    r = compute_ratings(build(specs), n_boot=0)
    allg = r.table.loc[r.table.game == "all"].set_index("model")["rating"]
    assert allg["m/a"] == pytest.approx(allg["m/b"], abs=1e-6)
    per = r.table.loc[r.table.game == "battle_card"].set_index("model")["rating"]
    assert per["m/a"] > per["m/b"] + 100


def test_failure_table_and_costs() -> None:
    specs = [
        MatchSpec(
            "m1",
            "battle_card",
            "x/a",
            "bot/random",
            "AB",
            [1, 1],
            [1, 1],
            decisions=[
                {
                    "model": "x/a",
                    "side": "A",
                    "failure_class": "unparseable",
                    "cost_usd": 0.01,
                    "input_tokens": 100,
                    "output_tokens": 20,
                    "raw_text": "not json",
                },
                {"model": "x/a", "side": "A", "cost_usd": 0.02, "input_tokens": 50, "output_tokens": 10},
                {"model": "x/a", "side": "A", "cost_usd": 5.0, "input_tokens": 999, "reused": 1},
                {"model": "bot/random", "side": "B"},
            ],
        ),
        MatchSpec(
            "m2",
            "battle_card",
            "x/b",
            "x/a",
            "AB",
            [1, 1],
            [1, 1],
            decisions=[
                {"model": "x/b", "side": "A", "cost_usd": None},
                {"model": "x/a", "side": "B", "cost_usd": 0.03, "failure_class": "weird"},
            ],
        ),
        MatchSpec(
            "v",
            "battle_card",
            "x/a",
            "x/b",
            "AB",
            [1, 1],
            [1, 1],
            status="voided",
            decisions=[
                {"model": "x/a", "side": "A", "failure_class": "infra_error"},
            ],
        ),
    ]
    frames = build(specs)
    ft = failure_table(frames).set_index("model")
    assert ft.loc["x/a", "decisions"] == 5
    assert (
        ft.loc["x/a", "unparseable"] == 1
        and ft.loc["x/a", "infra_error"] == 1
        and ft.loc["x/a", "other"] == 1
    )
    assert ft.loc["x/a", "failure_rate"] == pytest.approx(3 / 5)
    assert ft.loc["x/a", "matches_finished"] == 2 and ft.loc["x/a", "matches_voided"] == 1
    # Reused decision excluded: m1 costs 0.03 and 150 + 30 tokens; m2 costs 0.03.
    assert ft.loc["x/a", "cost_per_match"] == pytest.approx(0.03)
    assert ft.loc["x/a", "input_tokens_per_match"] == pytest.approx(75.0)
    assert ft.loc["x/a", "tokens_per_round"] == pytest.approx(180 / 4)
    assert math.isnan(float(ft["cost_per_match"].loc["x/b"]))  # unknown price → unknown cost, not 0
    cpm = cost_per_match(frames, n_boot=100).set_index("model")
    assert cpm.loc["x/a", "value"] == pytest.approx(0.03) and cpm.loc["x/a", "n"] == 2
    assert math.isnan(float(cpm["value"].loc["x/b"]))
    assert cpm.loc["bot/random", "value"] == 0.0
