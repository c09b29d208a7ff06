"""The sequential non-inferiority test: error rates by seeded simulation, verdicts, intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from games.core.errors import ParameterError
from metrics.sequential import SequentialDesign, first_verdicts, log_capital, sequential_test

REPS = 4000
BUDGET = 200


def _binomial_pairs(rng: np.random.Generator, p_cand, p_base, shape, k: int = 5) -> np.ndarray:
    """Per-pair difference of two per-turn win rates over k own turns (the shape of the `wr` metric)."""
    return rng.binomial(k, p_cand, shape) / k - rng.binomial(k, p_base, shape) / k


def _panel_pairs(rng: np.random.Generator, shift: float, shape) -> np.ndarray:
    """A heterogeneous panel: win probability depends on the opponent, cycled in planned order."""
    p_opp = np.array([0.2, 0.5, 0.8])
    p = np.resize(p_opp, shape[-1])
    return _binomial_pairs(rng, np.clip(p + shift, 0, 1), p, shape)


def _rates(diffs: np.ndarray, design: SequentialDesign) -> tuple[float, float, float, float]:
    verdict, n_used = first_verdicts(diffs, design)
    decided = verdict != 0
    return (
        float(np.mean(verdict == 1)),
        float(np.mean(verdict == -1)),
        float(np.mean(verdict == 0)),
        float(n_used[decided].mean()) if decided.any() else math.nan,
    )


# ---------------------------------------------------------------- design


@pytest.mark.parametrize(
    "kwargs",
    [
        {"margin": 0.0},
        {"margin": 1.0},
        {"margin": -0.1},
        {"margin": float("nan")},
        {"margin": 0.1, "alpha": 0.0},
        {"margin": 0.1, "beta": 0.5},
        {"margin": 0.1, "bet_cap": 1.0},
        {"margin": 0.1, "prior_var": 0.0},
    ],
)
def test_bad_design_is_a_user_error(kwargs):
    with pytest.raises(ParameterError):
        SequentialDesign(**kwargs)


@pytest.mark.parametrize("bad", [[0.0, 1.5], [float("nan")], [-2.0]])
def test_bad_differences_are_rejected(bad):
    with pytest.raises(ParameterError):
        sequential_test(bad, SequentialDesign(margin=0.1), final=False)


# ---------------------------------------------------------------- single runs


def test_no_data_continues_or_is_inconclusive():
    design = SequentialDesign(margin=0.1)
    r = sequential_test([], design, final=False)
    assert (r.verdict, r.n_pairs, r.n_used, r.lower, r.upper) == ("continue", 0, 0, -1.0, 1.0)
    assert math.isnan(r.mean_diff)
    assert sequential_test([], design, final=True).verdict == "inconclusive"


def test_identical_deterministic_play_passes_after_a_known_number_of_pairs():
    # Two identical deterministic bots give d = 0 on every pair: every bet wins the margin.
    design = SequentialDesign(margin=0.1)
    r = sequential_test(np.zeros(100), design, final=False)
    assert r.verdict == "pass"
    assert r.n_used == 39  # golden: default cap 0.75, prior variance 0.25
    assert r.lower > -design.margin and r.upper >= 0.0
    assert r.log_capital_pass >= r.pass_threshold == pytest.approx(math.log(20))
    # One pair fewer is not enough, and the budget ending there is inconclusive.
    assert sequential_test(np.zeros(38), design, final=True).verdict == "inconclusive"
    assert sequential_test(np.zeros(38), design, final=False).verdict == "continue"


def test_a_wider_margin_passes_sooner():
    used = [
        sequential_test(np.zeros(200), SequentialDesign(margin=m), final=True).n_used
        for m in (0.05, 0.1, 0.3)
    ]
    assert used[0] > used[1] > used[2]


def test_constant_losses_fail_fast():
    r = sequential_test(-np.ones(50), SequentialDesign(margin=0.1), final=False)
    assert r.verdict == "fail"
    assert r.n_used <= 10
    assert r.upper < 0.0
    assert r.mean_diff == -1.0


def test_capital_is_predictable():
    # The bet on pair i uses only pairs before i: changing pair k leaves the capital path before k intact.
    rng = np.random.default_rng(3)
    d = rng.uniform(-1, 1, 40)
    e = d.copy()
    e[25] = -d[25]
    a = log_capital(d, -0.1, bet_cap=0.75, prior_var=0.25)
    b = log_capital(e, -0.1, bet_cap=0.75, prior_var=0.25)
    np.testing.assert_array_equal(a[:25], b[:25])
    assert a[25] != b[25]


def test_capital_never_ruins_on_the_worst_pair():
    # The bet cap keeps 1 + λ(d − m) ≥ 1 − cap even on d = −1 after a run of wins.
    d = np.concatenate([np.zeros(30), [-1.0]])
    path = log_capital(d, -0.1, bet_cap=0.75, prior_var=0.25)
    assert path[-1] - path[-2] >= math.log(0.25) - 1e-12


def test_vectorised_verdicts_match_the_single_run_function():
    rng = np.random.default_rng(11)
    design = SequentialDesign(margin=0.15, alpha=0.1, beta=0.05)
    diffs = _binomial_pairs(rng, rng.uniform(0.2, 0.8, (60, 1)), 0.5, (60, 80))
    verdict, n_used = first_verdicts(diffs, design)
    code = {"pass": 1, "fail": -1, "inconclusive": 0}
    for row, v, n in zip(diffs, verdict, n_used, strict=True):
        r = sequential_test(row, design, final=True)
        assert (code[r.verdict], r.n_used) == (v, n)


def test_interval_agrees_with_the_verdict_and_contains_the_mean():
    rng = np.random.default_rng(5)
    design = SequentialDesign(margin=0.1)
    step = 0.002 + 1e-9
    seen = set()
    for shift in np.linspace(-0.4, 0.4, 41):
        d = _binomial_pairs(rng, 0.5 + shift / 2, 0.5 - shift / 2, (120,))
        r = sequential_test(d, design, final=True)
        seen.add(r.verdict)
        assert r.lower - step <= r.mean_diff <= r.upper + step
        if r.verdict == "pass":
            assert r.lower > -design.margin - step
        if r.verdict == "fail":
            assert r.upper < step
        if r.verdict == "inconclusive":
            assert r.lower <= -design.margin + step and r.upper >= -step
    assert seen == {"pass", "fail", "inconclusive"}


# ---------------------------------------------------------------- error rates by seeded simulation


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("same win rate 0.5", lambda rng, shape: _binomial_pairs(rng, 0.5, 0.5, shape)),
        ("same win rate 0.9", lambda rng, shape: _binomial_pairs(rng, 0.9, 0.9, shape)),
        ("same, heterogeneous panel", lambda rng, shape: _panel_pairs(rng, 0.0, shape)),
        ("same, single coin flips", lambda rng, shape: _binomial_pairs(rng, 0.5, 0.5, shape, k=1)),
    ],
)
def test_identical_candidates_fail_at_most_beta_of_the_time(name, make):
    design = SequentialDesign(margin=0.1, alpha=0.05, beta=0.05)
    diffs = make(np.random.default_rng(20240601), (REPS, BUDGET))
    p_pass, p_fail, p_inc, mean_n = _rates(diffs, design)
    print(
        f"\n[identical: {name}] false-fail {p_fail:.4f}  pass {p_pass:.4f}  inconclusive {p_inc:.4f}  "
        f"mean pairs to a verdict {mean_n:.1f}  ({REPS} seeded repetitions, budget {BUDGET} pairs)"
    )
    assert p_fail <= design.beta


def test_false_fail_rate_is_governed_by_beta_not_alpha():
    design = SequentialDesign(margin=0.1, alpha=0.2, beta=0.01)
    diffs = _binomial_pairs(np.random.default_rng(7), 0.5, 0.5, (REPS, BUDGET), k=1)
    _, p_fail, _, _ = _rates(diffs, design)
    print(f"\n[identical, beta=0.01] false-fail {p_fail:.4f}")
    assert p_fail <= design.beta


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("binomial, worse by the margin", lambda rng, shape: _binomial_pairs(rng, 0.45, 0.55, shape)),
        # Rare large losses: the skewed case where normal-approximation SPRTs let regressions through.
        ("rare total losses", lambda rng, shape: -(rng.random(shape) < 0.1).astype(float)),
        ("heterogeneous panel, worse by the margin", lambda rng, shape: _panel_pairs(rng, -0.1, shape)),
    ],
)
def test_regressions_of_the_margin_pass_at_most_alpha_of_the_time(name, make):
    design = SequentialDesign(margin=0.1, alpha=0.05, beta=0.05)
    diffs = make(np.random.default_rng(99), (REPS, BUDGET))
    assert diffs.mean() == pytest.approx(-0.1, abs=0.01)
    p_pass, p_fail, p_inc, _ = _rates(diffs, design)
    print(f"\n[worse by margin: {name}] false-pass {p_pass:.4f}  fail {p_fail:.4f}  inconclusive {p_inc:.4f}")
    assert p_pass <= design.alpha


def test_clearly_weaker_candidate_fails_and_clearly_stronger_passes_early():
    design = SequentialDesign(margin=0.1)
    rng = np.random.default_rng(1)
    p_pass, p_fail, _, n_weak = _rates(_binomial_pairs(rng, 0.2, 0.6, (REPS, BUDGET)), design)
    assert p_fail >= 0.99 and p_pass == 0.0
    p_pass, p_fail, _, n_strong = _rates(_binomial_pairs(rng, 0.8, 0.5, (REPS, BUDGET)), design)
    assert p_pass >= 0.99 and p_fail == 0.0
    _, _, _, n_same = _rates(_binomial_pairs(rng, 0.5, 0.5, (REPS, BUDGET)), design)
    print(f"\n[mean pairs to a verdict] weaker {n_weak:.1f}  stronger {n_strong:.1f}  identical {n_same:.1f}")
    assert n_weak < 25 and n_strong < 25 and n_strong < n_same / 2
