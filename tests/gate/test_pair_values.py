"""Per-pair metric values from round records, checked against hand-computed numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from harness.experiments.jobs import MatchJob
from harness.gate.pair_values import arm_values, oriented_difference
from harness.gate.pairs import ArmMatch
from harness.gate.spec import gate_metric
from metrics.load import StoreFrames

X = "scripted/x"
OPP = "bot/greedy"


def _job(mid: str, model_a: str, model_b: str) -> MatchJob:
    return MatchJob(
        experiment="check", game="battle_card", ruleset="v1", params={}, model_a=model_a, model_b=model_b,
        settings={"rounds": 3}, generation_a=None, generation_b=None, seed=0, repetition=0,
        fingerprint="fp", match_id=mid,
    )  # fmt: skip


def _round(mid, k, winner, reviser, changed_a=None, changed_b=None, cost_a=5, cost_b=5):
    return {
        "match_id": mid, "round": k, "label": k, "cost_a": cost_a, "cost_b": cost_b, "budget_a": 10,
        "budget_b": 10, "violations_a": "[]", "violations_b": "[]", "winner": winner, "reviser": reviser,
        "changed_a": changed_a, "changed_b": changed_b,
    }  # fmt: skip


def _frames(opponent: str = OPP, drop: str | None = None) -> StoreFrames:
    # m1: X plays A (first reviser A). Own turns of A: round 2 (lost before, revised, won: a successful
    # correction) and round 4 (lost before, kept the plan, lost, over budget).
    # m2: X plays B. Own turns of B: round 2 (lost before, revised, lost: a failed correction) and round 4
    # (won before, revised, won: an unforced revision).
    rounds = [
        _round("m1", 1, "B", None),
        _round("m1", 2, "A", "A", changed_a=1, changed_b=0),
        _round("m1", 3, "B", "B", changed_a=0, changed_b=1),
        _round("m1", 4, "B", "A", changed_a=0, changed_b=0, cost_a=11),
        _round("m2", 1, "A", None),
        _round("m2", 2, "A", "B", changed_a=0, changed_b=1),
        _round("m2", 3, "B", "A", changed_a=1, changed_b=0),
        _round("m2", 4, "B", "B", changed_a=0, changed_b=1),
    ]
    matches = [
        {"match_id": "m1", "model_a": X, "model_b": opponent, "first_reviser": "A", "winner": "B"},
        {"match_id": "m2", "model_a": opponent, "model_b": X, "first_reviser": "B", "winner": "B"},
    ]
    for m in matches:
        m.update(fingerprint="fp", game="battle_card", rounds=3, seed=0, repetition=0, status="finished")
    mt = pd.DataFrame([m for m in matches if m["match_id"] != drop])
    return StoreFrames.from_frames(mt, pd.DataFrame(rounds))


def _arm_matches(opponent: str = OPP) -> list[ArmMatch]:
    return [
        ArmMatch(pair=0, arm="candidate", side="A", job=_job("m1", X, opponent)),
        ArmMatch(pair=0, arm="candidate", side="B", job=_job("m2", opponent, X)),
    ]


@pytest.mark.parametrize(
    ("metric", "value", "n"),
    [
        ("wr", 2 / 4, 4),
        ("obr", 1 / 4, 4),
        ("csr", 1 / 2, 2),
        ("match_wr", 1 / 2, 2),
        ("composite", (0.5 + 0.5 + 0.75) / 3, 4),
    ],
)
def test_pooled_pair_values_match_hand_computation(metric, value, n):
    out = arm_values(_frames(), _arm_matches(), gate_metric(metric))
    v = out[(0, "candidate")]
    assert v.complete
    assert v.value == pytest.approx(value)
    assert v.n == n


def test_self_play_opponent_turns_are_not_credited_to_the_arm():
    # The arm also sits in the panel: same numbers, the opponent's side is relabelled away.
    for metric in ("wr", "csr", "obr", "match_wr"):
        a = arm_values(_frames(), _arm_matches(), gate_metric(metric))[(0, "candidate")]
        b = arm_values(_frames(opponent=X), _arm_matches(opponent=X), gate_metric(metric))[(0, "candidate")]
        assert (a.value, a.n) == (b.value, b.n)


def test_a_missing_match_makes_the_pair_incomplete():
    v = arm_values(_frames(drop="m2"), _arm_matches(), gate_metric("wr"))[(0, "candidate")]
    assert not v.complete and math.isnan(v.value) and v.n == 0


def test_undefined_csr_is_nan_not_zero():
    only_m1 = [m for m in _arm_matches() if m.job.match_id == "m1"]
    frames = _frames()
    rounds = frames.rounds.copy()
    rounds.loc[rounds["match_id"] == "m1", "changed_a"] = 0  # no revision: no correction at all
    frames = StoreFrames.from_frames(frames.matches, rounds)
    for metric in ("csr", "composite"):
        v = arm_values(frames, only_m1, gate_metric(metric))[(0, "candidate")]
        assert v.complete and math.isnan(v.value)


def test_differences_are_oriented_so_positive_is_better():
    assert oriented_difference(gate_metric("wr"), 0.7, 0.5) == pytest.approx(0.2)
    assert oriented_difference(gate_metric("obr"), 0.1, 0.3) == pytest.approx(0.2)


def test_ungateable_metrics_are_refused_with_the_known_list():
    from games.core.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="no 'worse' direction"):
        gate_metric("orr")
    with pytest.raises(UnknownNameError, match="wr, match_wr"):
        gate_metric("nope")
