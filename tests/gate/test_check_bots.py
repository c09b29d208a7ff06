"""End-to-end checks with bots: weaker fails, stronger passes early, budgets, resume, stored baselines."""

from __future__ import annotations

import pytest
from gate_helpers import check, make_spec

from games.core.errors import ParameterError
from harness.gate.baseline_store import BaselineStoreError
from harness.gate.pairs import arm_matches, plan_pairs
from metrics.load import load_store


def test_a_clearly_weaker_candidate_fails():
    report = check(make_spec("bot/random", "bot/search"))
    assert report.verdict == "fail" and report.exit_code == 1
    assert report.test.upper < 0
    row = report.table_rows()[0]
    assert row["candidate"] < row["baseline"]


def test_search_with_a_tiny_simulation_budget_fails_against_search():
    report = check(make_spec("bot/search@sims=1", "bot/search"))
    print(
        f"\n[search@sims=1 vs search] {report.verdict} after {report.test.n_used} pairs, "
        f"{report.matches_played} matches, mean difference {report.test.mean_diff:+.3f}"
    )
    assert report.verdict == "fail"


def test_a_clearly_stronger_candidate_passes_early():
    spec = make_spec("bot/search", "bot/random")
    report = check(spec)
    assert report.verdict == "pass" and report.exit_code == 0
    assert report.test.lower > -spec.design.margin
    # Early: within two batches (cycles of 3 games x 1 opponent), far below the budget.
    assert report.test.n_pairs <= 2 * spec.cycle
    assert report.matches_played <= 2 * spec.cycle * spec.matches_per_pair < spec.max_matches / 5


def test_budget_exhausted_is_inconclusive():
    spec = make_spec("bot/search@sims=1", "bot/search", max_matches=24)  # 6 pairs: too few to decide
    report = check(spec)
    assert report.verdict == "inconclusive" and report.exit_code == 3
    assert report.test.n_pairs == spec.max_pairs == 6
    assert report.matches_played == 24


def test_pairs_are_planned_in_a_fixed_order_with_both_sides():
    spec = make_spec(
        "bot/search", "bot/random", panel=("bot/greedy", "bot/search@sims=8"), games=("battle_card",)
    )
    pairs = plan_pairs(spec, 0, 5)
    bc = "battle_card@ruleset=v2"  # the default ruleset, spelled out
    assert [(p.game, p.opponent, p.seed) for p in pairs] == [
        (bc, "bot/greedy", 0),
        (bc, "bot/search@sims=8", 0),
        (bc, "bot/greedy", 1),
        (bc, "bot/search@sims=8", 1),
        (bc, "bot/greedy", 2),
    ]
    ms = arm_matches(spec, pairs[0])
    # Both arms, both sides, same opponent, seed and settings: only the arm's model differs.
    assert [(m.arm, m.side) for m in ms] == [
        ("candidate", "A"),
        ("candidate", "B"),
        ("baseline", "A"),
        ("baseline", "B"),
    ]
    cand_a, cand_b, base_a, _ = (m.job for m in ms)
    assert (cand_a.model_a, cand_a.model_b, base_a.model_a) == ("bot/search", "bot/greedy", "bot/random")
    assert (cand_b.model_a, cand_b.model_b) == ("bot/greedy", "bot/search")
    assert cand_a.seed == base_a.seed and cand_a.settings == base_a.settings
    assert cand_a.fingerprint == base_a.fingerprint


def test_same_verdict_whether_the_baseline_is_replayed_or_read_from_a_store(tmp_path):
    first = make_spec("bot/random", "bot/search", store=tmp_path / "nightly.sqlite")
    replayed = check(first)
    # A later run: the candidate again, against last night's store instead of replaying the baseline.
    second = make_spec(
        "bot/random",
        "bot/search",
        baseline_store=tmp_path / "nightly.sqlite",
        store=tmp_path / "tonight.sqlite",
    )
    stored = check(second)
    assert stored.verdict == replayed.verdict == "fail"
    assert stored.test == replayed.test
    assert [p.diff for p in stored.pairs] == [p.diff for p in replayed.pairs]
    assert stored.baseline_source.endswith("nightly.sqlite")
    # Only the candidate was played; every baseline match came from the store.
    assert stored.matches_played == replayed.matches_played // 2
    baseline_models = set(load_store(tmp_path / "tonight.sqlite").matches[["model_a", "model_b"]].stack())
    assert "bot/search" not in baseline_models


def test_a_store_lacking_the_needed_pairs_is_a_clear_error(tmp_path):
    check(make_spec("bot/search", "bot/random", store=tmp_path / "s.sqlite"))
    spec = make_spec("bot/search@sims=8", "bot/random", seed=100, baseline_store=tmp_path / "s.sqlite")
    with pytest.raises(BaselineStoreError, match=r"lacks 6 of the 6 baseline matches.*seed=100"):
        check(spec)
    spec = make_spec("bot/search@sims=8", "bot/random", rounds=5, baseline_store=tmp_path / "s.sqlite")
    with pytest.raises(
        BaselineStoreError, match="protocol setting rounds=4 differs from the check's rounds=5"
    ):
        check(spec)  # the same identities exist, but were played with other settings


def test_rerunning_with_the_same_store_resumes_without_playing(tmp_path):
    spec = make_spec("bot/search", "bot/random", store=tmp_path / "s.sqlite")
    a = check(spec)
    b = check(spec)
    assert b.matches_played == 0 and b.matches_reused == a.matches_played
    assert (a.verdict, a.test) == (b.verdict, b.test)


def test_identical_names_without_a_store_are_refused():
    with pytest.raises(ParameterError, match="same model"):
        make_spec("bot/search", "bot/search")


def test_an_arm_in_the_panel_is_refused():
    with pytest.raises(ParameterError, match="baseline 'bot/search' is also in --panel"):
        make_spec("bot/search@sims=1", "bot/search", panel=("bot/random", "bot/search"))


def test_the_same_model_against_its_own_earlier_run_passes_when_nothing_changed(tmp_path):
    # A harness change is checked by comparing a model with its own stored run; unchanged harness: d = 0.
    check(make_spec("bot/search", "bot/random", store=tmp_path / "before.sqlite"))
    spec = make_spec(
        "bot/search",
        "bot/search",
        baseline_store=tmp_path / "before.sqlite",
        store=tmp_path / "after.sqlite",
        margin=0.5,  # d = 0 passes after 6 pairs: the 2 cycles the first run played
    )
    report = check(spec)
    assert report.verdict == "pass" and report.test.n_used == 6
    assert {p.diff for p in report.pairs} == {0.0}
    assert report.notes == ()  # same fingerprints: nothing to remark


def test_an_experiment_with_the_same_design_plays_exactly_the_matches_the_check_looks_up():
    # docs/check.md: a baseline store for long checks can be made once with `stratagem run`.
    from harness.experiments import expand, parse_experiment

    text = """
name: nightly-baseline
games: [battle_card, tower_defense, elemental_duel]
models: [bot/random]
pairing: {mode: vs_panel, panel: [bot/greedy]}
settings: {sides: [A, B], first_reviser: [A]}
protocol: {rounds: 4}
seeds: [0, 1, 2]
"""
    experiment_ids = {j.match_id for j in expand(parse_experiment(text, "<test>"))}
    spec = make_spec("bot/search", "bot/random")
    check_ids = {
        m.job.match_id for p in plan_pairs(spec, 0, 9) for m in arm_matches(spec, p) if m.arm == "baseline"
    }
    assert check_ids == experiment_ids
