"""Audit regression of battle card ruleset v2: at size small, no plan is unbeaten and the value is fair.

The design targets (``docs/rulesets.md``) are checked at size default on three seeds; this
small audit, a few seconds, guards against a change that makes one plan or one side dominant again.
"""

from games.analysis.audit import run_audit
from games.battle_card.v2 import BattleCardV2


def test_v2_small_audit_has_no_unbeaten_plan_and_a_fair_value():
    report = run_audit(BattleCardV2(), seed=0, size="small")
    assert report["unbeaten"] == {"A": [], "B": []}
    assert 0.25 <= report["a_win_equiv"] <= 0.75
    assert report["support"]["A"] >= 2 and report["support"]["B"] >= 2
