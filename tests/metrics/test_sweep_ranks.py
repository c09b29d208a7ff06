"""Per-point metrics, rank stability (Kendall τ with its bootstrap CI) and rank flips of a sweep."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau
from test_sweep_points import BUDGET_PATH, stable_strengths, swap_strengths, sweep_frames

from metrics.compute import compute_metrics
from metrics.sweep_points import sweep_of
from metrics.sweep_ranks import rank_flips, rank_stability, replicate_strengths, tau_b_rows
from metrics.sweep_stats import plot_game, point_results, sweep_long
from metrics.sweep_tables import sweep_tables


@pytest.fixture(scope="module")
def stable():  # type: ignore[no-untyped-def]
    frames = sweep_frames(stable_strengths(), seed=1)
    sweep = sweep_of(frames)
    assert sweep is not None
    return frames, sweep, point_results(frames, sweep, n_boot=100, seed=0)


@pytest.fixture(scope="module")
def swapped():  # type: ignore[no-untyped-def]
    frames = sweep_frames(swap_strengths(), seed=2, matches_per_pair=6)
    sweep = sweep_of(frames)
    assert sweep is not None
    return frames, sweep, point_results(frames, sweep, n_boot=100, seed=0)


def test_point_metrics_are_those_of_the_point_alone(stable) -> None:  # type: ignore[no-untyped-def]
    frames, sweep, results = stable
    alone = compute_metrics(sweep.frames_at(frames, sweep.points[1]), n_boot=100, seed=0)
    long = sweep_long(sweep, results)
    at1 = long.loc[long["point"] == 1].reset_index(drop=True)
    assert list(at1.columns[:4]) == ["point", "base", "label", BUDGET_PATH]
    merged = at1.merge(alone, on=["model", "game", "metric"], suffixes=("", "_alone"))
    assert len(merged) == len(alone)
    for col in ("value", "lo", "hi"):
        assert np.allclose(merged[col], merged[f"{col}_alone"], equal_nan=True)
    assert (merged["n"] == merged["n_alone"]).all()
    assert plot_game(sweep) == "battle_card"


def test_stable_order_gives_tau_one(stable) -> None:  # type: ignore[no-untyped-def]
    _, sweep, results = stable
    st = rank_stability(sweep, results, n_boot=60, seed=0)
    assert list(st["point"]) == [0, 1, 2]
    assert (st["tau"] == 1.0).all()
    assert (st["n_models"] == 4).all() and (st["n_matches"] == 48).all()
    assert st["lo"].notna().all() and (st["lo"] <= 1.0).all() and (st["hi"] == 1.0).all()
    assert rank_flips(sweep, results).empty
    again = rank_stability(sweep, results, n_boot=60, seed=0)
    assert again.equals(st)


def test_swap_with_separated_intervals_is_the_one_flip(swapped) -> None:  # type: ignore[no-untyped-def]
    _, sweep, results = swapped
    flips = rank_flips(sweep, results)
    assert len(flips) == 1
    row = flips.iloc[0]
    assert (row["point"], row["model_hi_at_base"], row["model_lo_at_base"]) == (2, "m/alpha", "m/bravo")
    assert row["base_lo_hi"] > row["base_hi_lo"] and row["point_lo_lo"] > row["point_hi_hi"]
    st = rank_stability(sweep, results, n_boot=60, seed=0)
    tau2 = float(st.loc[st["point"] == 2, "tau"].iloc[0])
    assert tau2 == pytest.approx(2 / 3)  # one discordant pair of six
    assert st.loc[st["point"] == 2, "lo"].iloc[0] <= tau2 <= st.loc[st["point"] == 2, "hi"].iloc[0]


def test_tau_b_rows_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, size=(30, 6)).astype(float)  # ties included
    y = rng.integers(0, 4, size=(30, 6)).astype(float)
    ours = tau_b_rows(x, y)
    for b in range(30):
        ref = kendalltau(x[b], y[b], variant="b").statistic
        assert (np.isnan(ours[b]) and np.isnan(ref)) or ours[b] == pytest.approx(ref)
    assert np.isnan(tau_b_rows(x[:, :1], y[:, :1])).all()


def test_replicates_deterministic_for_a_seed(stable) -> None:  # type: ignore[no-untyped-def]
    frames, sweep, _ = stable
    pf = sweep.frames_at(frames, sweep.points[0])
    from metrics.intervals import stable_rng

    a = replicate_strengths(pf, 20, stable_rng(3, "x"))
    b = replicate_strengths(pf, 20, stable_rng(3, "x"))
    c = replicate_strengths(pf, 20, stable_rng(4, "x"))
    assert a.models == list(("m/alpha", "m/bravo", "m/charlie", "m/delta"))
    assert np.array_equal(a.theta, b.theta) and not np.array_equal(a.theta, c.theta)


def test_undefined_metric_at_a_point_is_nan_with_n_zero() -> None:
    # At point 1 nobody ever changes a plan: no correction, so CSR is undefined there (not 0).
    frames = sweep_frames(
        stable_strengths(2), matches_per_pair=1, revise=[{}, dict.fromkeys(stable_strengths(1)[0], False)]
    )
    tables = sweep_tables(frames, n_boot=20, tau_boot=10)
    assert tables is not None
    m = tables.metrics
    csr = m.loc[(m["metric"] == "csr") & (m["game"] == "battle_card")]
    at1, at0 = csr.loc[csr["point"] == 1], csr.loc[csr["point"] == 0]
    assert at1["value"].isna().all() and (at1["n"] == 0).all() and at1["lo"].isna().all()
    assert at0["value"].notna().any() and (at0["n"] > 0).any()
    orr1 = m.loc[(m["metric"] == "orr") & (m["game"] == "battle_card") & (m["point"] == 1)]
    assert (orr1["value"] == 0).all() and (orr1["n"] > 0).all()  # a real zero stays a zero


def test_a_model_missing_at_a_point_gets_rows_with_n_zero() -> None:
    strengths = stable_strengths(2)
    del strengths[1]["m/delta"]
    tables = sweep_tables(sweep_frames(strengths, matches_per_pair=1), n_boot=10, tau_boot=10)
    assert tables is not None
    m = tables.metrics
    gone = m.loc[(m["model"] == "m/delta") & (m["point"] == 1)]
    assert len(gone) > 0 and gone["value"].isna().all() and (gone["n"] == 0).all()
    st = tables.stability
    assert list(st["n_models"]) == [4, 3]


def test_a_point_with_only_voided_matches_says_n_zero() -> None:
    frames = sweep_frames(stable_strengths(), matches_per_pair=1)
    m = frames.matches.copy()
    m.loc[m["match_id"].str.startswith("p1"), "status"] = "voided"
    tables = sweep_tables(type(frames).from_frames(m, frames.rounds), n_boot=10, tau_boot=5)
    assert tables is not None
    assert list(tables.points["matches_voided"]) == [0, 12, 0]
    st = tables.stability.set_index("point")
    assert st["tau"].isna().loc[1] and st.loc[1, "n_models"] == 0 and st.loc[1, "n_matches"] == 0
    bal = tables.balance.set_index("point")
    assert bal["a_score"].isna().loc[1] and bal.loc[1, "n_rounds"] == 0
    at1 = tables.metrics.loc[tables.metrics["point"] == 1]
    assert at1["value"].isna().all() and (at1["n"] == 0).all()


def test_no_bootstrap_gives_no_intervals() -> None:
    tables = sweep_tables(sweep_frames(stable_strengths(2), matches_per_pair=1), n_boot=0, tau_boot=0)
    assert tables is not None
    assert tables.stability["lo"].isna().all() and (tables.stability["tau"] == 1.0).all()
    assert tables.balance["lo"].isna().all() and tables.balance["a_score"].notna().all()
