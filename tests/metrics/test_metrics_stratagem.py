"""Hand-computed fixtures for the `stratagem` definitions, including the degenerate cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from metrics_builders import MatchSpec, build

from metrics import MixedFingerprintError, compute_metrics, match_stats, own_turns
from metrics.errors import ParameterError


def value(long: pd.DataFrame, model: str, metric: str, game: str = "battle_card") -> tuple[float, int]:
    row = long.loc[(long.model == model) & (long.metric == metric) & (long.game == game)]
    assert len(row) == 1, (model, metric, game)
    return float(row["value"].iloc[0]), int(row["n"].iloc[0])


def two_matches() -> list[MatchSpec]:
    # Battle card, R = 4 → 5 records (the last labelled 4 again). Alternate revisions.
    return [
        MatchSpec(
            "m1", "battle_card", "x/a", "bot/random", "ABABA", [10, 12, 12, 25, 12], [10, 10, 11, 11, 13]
        ),
        MatchSpec(
            "m2",
            "battle_card",
            "bot/random",
            "x/a",
            "BBAAA",
            [10, 10, 9, 9, 8],
            [10, 11, 11, 14, 14],
            first_reviser="B",
        ),
    ]


def test_hand_computed_values() -> None:
    # x/a's own turns: m1 (side A, revises first) rounds 2, 4; m2 (side B, revises first) rounds 2, 4.
    #   m1 k2: w=0 w⁻=1 r=1            m1 k4: w=0 w⁻=1 r=1, cost 25 > 20 (over budget, violation)
    #   m2 k2: w=1 w⁻=1 r=1            m2 k4: w=0 w⁻=0 r=1 (a correction that failed)
    long = compute_metrics(build(two_matches()), n_boot=0)
    assert value(long, "x/a", "wr") == (0.25, 4)
    assert value(long, "x/a", "orr") == (1.0, 4)
    assert value(long, "x/a", "obr") == (0.25, 4)
    assert value(long, "x/a", "csr") == (0.0, 1)
    assert value(long, "x/a", "csr_win") == (0.0, 1)
    assert math.isnan(value(long, "x/a", "csr_fix")[0]) and value(long, "x/a", "csr_fix")[1] == 0
    assert value(long, "x/a", "unforced_revision_rate") == (1.0, 3)
    assert value(long, "x/a", "overcorrection_harm") == pytest.approx((2 / 3, 3))
    # β: m1 units w = (0, 0) → Sxy 0, Sxx .5; m2 w = (1, 0) → Sxy -.5, Sxx .5 → -.5 / 1.
    assert value(long, "x/a", "beta") == (-0.5, 4)
    assert value(long, "x/a", "round_wr") == (0.5, 10)
    assert value(long, "x/a", "match_wr") == (0.5, 2)
    assert value(long, "x/a", "composite")[0] == pytest.approx((0.25 + 0.0 + 0.75) / 3)
    # bot/random: m1 side B rounds 3, 5 (w = 0, 0; w⁻ = 1, 1); m2 side A rounds 3, 5 (w = 1, 1; w⁻ = 0, 1).
    assert value(long, "bot/random", "wr") == (0.5, 4)
    assert value(long, "bot/random", "csr") == (1.0, 1)  # m2 k3: lost before, revised, won
    # One game only: the cross-game value equals the game's value.
    assert value(long, "x/a", "wr", "all") == (0.25, 4)


def test_undefined_is_nan_with_n_zero_never_zero() -> None:
    # revision = none: no own turns at all → every own-turn metric undefined, composite undefined.
    spec = MatchSpec("m", "battle_card", "x/a", "x/b", "AAB", [5, 5, 5], [5, 5, 5], revision="none")
    long = compute_metrics(build([spec]), n_boot=50)
    for metric in ("wr", "orr", "csr", "beta", "obr", "unforced_revision_rate", "composite"):
        v, n = value(long, "x/a", metric)
        assert math.isnan(v) and n == 0, metric
        row = long.loc[(long.model == "x/a") & (long.metric == metric) & (long.game == "battle_card")]
        assert math.isnan(float(row["lo"].iloc[0])) and math.isnan(float(row["hi"].iloc[0]))
    assert value(long, "x/a", "round_wr") == (2 / 3, 3)  # rounds still count


def test_single_own_turn_has_no_slope() -> None:
    # Tower defense R = 2: one revision (by A) → A has n = 1: WR defined, β undefined.
    spec = MatchSpec("m", "tower_defense", "x/a", "x/b", "BA", [100, 200], [100, 100])
    long = compute_metrics(build([spec]), n_boot=0)
    assert value(long, "x/a", "wr", "tower_defense") == (1.0, 1)
    beta, n = value(long, "x/a", "beta", "tower_defense")
    assert math.isnan(beta) and n == 0
    # A lost round 1 and revised: one correction, won → CSR 1.
    assert value(long, "x/a", "csr", "tower_defense") == (1.0, 1)
    # B never revised.
    assert math.isnan(value(long, "x/b", "wr", "tower_defense")[0])


def test_no_corrections_and_cost_keeping_revisions() -> None:
    # A always wins, so A's revisions are unforced; plan changes at equal cost still count as revisions.
    spec = MatchSpec(
        "m",
        "battle_card",
        "x/a",
        "x/b",
        "AAAAA",
        [10, 10, 10, 10, 10],
        [9, 9, 9, 9, 9],
        plan_a=["p", "q", "q", "r", "r"],
    )
    long = compute_metrics(build([spec]), n_boot=0)
    # A's own turns: rounds 2 (p→q) and 4 (q→r): both revisions, both after a win.
    assert value(long, "x/a", "orr") == (1.0, 2)
    v, n = value(long, "x/a", "csr")
    assert math.isnan(v) and n == 0
    assert value(long, "x/a", "unforced_revision_rate") == (1.0, 2)
    assert value(long, "x/a", "overcorrection_harm") == (0.0, 2)
    assert math.isnan(value(long, "x/a", "composite")[0])  # CSR undefined → composite undefined
    # B (rounds 3, 5) kept its plan: no revision, no correction.
    assert value(long, "x/b", "orr") == (0.0, 2)
    assert math.isnan(value(long, "x/b", "csr")[0])


def test_csr_fix_counts_removed_violations() -> None:
    # A plays a violating plan in round 1 (and wins anyway), fixes it at round 2 and loses.
    spec = MatchSpec(
        "m",
        "battle_card",
        "x/a",
        "x/b",
        "ABBBB",
        [10, 11, 11, 11, 11],
        [9, 9, 9, 9, 9],
        viol_a=[True, False, False, False, False],
    )
    long = compute_metrics(build([spec]), n_boot=0)
    assert value(long, "x/a", "csr") == (1.0, 1)  # success by removing the violation
    assert value(long, "x/a", "csr_fix") == (1.0, 1)
    assert math.isnan(value(long, "x/a", "csr_win")[0])  # the replaced plan won: not a "lost" correction
    # Round 4 (A's second own turn): plan 11 → 11 unchanged after a loss: no revision, no correction.
    assert value(long, "x/a", "orr") == (0.5, 2)


def test_simultaneous_and_self_play() -> None:
    spec = MatchSpec(
        "m", "battle_card", "x/a", "x/a", "ABAB", [5, 6, 7, 8], [5, 5, 6, 6], revision="simultaneous"
    )
    long = compute_metrics(build([spec]), n_boot=0)
    # Both sides revise at rounds 2–4; the model holds both sides: 6 own turns, 3 wins.
    assert value(long, "x/a", "wr") == (0.5, 6)
    turns = own_turns(build([spec]))
    assert len(turns) == 6 and set(turns["side"]) == {"A", "B"}
    stats = match_stats(build([spec]))
    assert len(stats) == 1 and stats["n"].iloc[0] == 6


def test_voided_matches_do_not_count() -> None:
    specs = [
        *two_matches(),
        MatchSpec("v", "battle_card", "x/a", "bot/random", "AAAAA", [1] * 5, [1] * 5, status="voided"),
    ]
    a = compute_metrics(build(specs), n_boot=0)
    b = compute_metrics(build(two_matches()), n_boot=0)
    pd.testing.assert_frame_equal(a, b)


def test_cross_game_value_is_mean_over_games() -> None:
    specs = [
        *two_matches(),
        MatchSpec("t", "tower_defense", "x/a", "bot/random", "BAA", [100, 200, 200], [100, 100, 90]),
    ]
    long = compute_metrics(build(specs), n_boot=0)
    bc, td = value(long, "x/a", "wr", "battle_card")[0], value(long, "x/a", "wr", "tower_defense")[0]
    assert value(long, "x/a", "wr", "all") == ((bc + td) / 2, 4 + 1)
    # CSR undefined in tower defense for x/a? A lost round 1, revised, won → defined; mean of both.
    assert value(long, "x/a", "csr", "all")[0] == pytest.approx(
        np.nanmean(
            [value(long, "x/a", "csr", "battle_card")[0], value(long, "x/a", "csr", "tower_defense")[0]]
        )
    )


def test_composite_weights() -> None:
    long = compute_metrics(build(two_matches()), weights={"wr": 1.0}, n_boot=0)
    assert value(long, "x/a", "composite")[0] == 0.25
    long = compute_metrics(build(two_matches()), weights={"wr": 1, "csr": 0, "obr": 3}, n_boot=0)
    assert value(long, "x/a", "composite")[0] == pytest.approx(0.25 * 0.25 + 0.75 * 0.75)
    with pytest.raises(ParameterError):
        compute_metrics(build(two_matches()), weights={"orr": 1.0})
    with pytest.raises(ParameterError):
        compute_metrics(build(two_matches()), weights={"wr": -1.0})
    with pytest.raises(ParameterError):
        compute_metrics(build(two_matches()), definitions="paper")


def test_mixed_fingerprints_refused_unless_allowed() -> None:
    specs = two_matches()
    specs[1].fingerprint = "fp2"
    with pytest.raises(MixedFingerprintError) as err:
        compute_metrics(build(specs), n_boot=0)
    assert "battle_card" in str(err.value) and "fp1" in str(err.value) and "fp2" in str(err.value)
    long = compute_metrics(build(specs), n_boot=0, allow_mixed=True)
    assert value(long, "x/a", "wr") == (0.25, 4)


def test_intervals_bracket_values_and_are_deterministic() -> None:
    specs = [
        MatchSpec(f"m{i}", "battle_card", "x/a", "bot/random", w, [10, 11, 12, 13, 14], [10, 10, 11, 11, 12])
        for i, w in enumerate(["ABABA", "BBAAB", "AAAAB", "BABAB", "ABBBA", "AABBA"])
    ]
    a = compute_metrics(build(specs), n_boot=300, seed=3)
    b = compute_metrics(build(specs), n_boot=300, seed=3)
    pd.testing.assert_frame_equal(a, b)
    defined = a.dropna(subset=["value", "lo", "hi"])
    assert (defined["lo"] <= defined["value"] + 1e-12).all() and (
        defined["value"] <= defined["hi"] + 1e-12
    ).all()
    wr = a.loc[(a.model == "x/a") & (a.metric == "wr") & (a.game == "battle_card")].iloc[0]
    assert wr["lo"] < wr["value"] < wr["hi"]  # real spread across matches
    assert 0 <= wr["wilson_lo"] < wr["value"] < wr["wilson_hi"] <= 1
