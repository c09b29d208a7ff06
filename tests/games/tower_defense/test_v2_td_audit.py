"""Audit regression of ruleset v2 (size small): no unbeaten plan, and A's equilibrium share near one half."""

from games.analysis.audit import run_audit
from games.tower_defense.v2 import TowerDefenseV2


def test_v2_small_audit_is_balanced():
    report = run_audit(TowerDefenseV2(), seed=0, size="small")
    assert report["unbeaten"] == {"A": [], "B": []}
    assert 0.25 <= report["a_win_equiv"] <= 0.75
    assert min(report["support"].values()) >= 2
