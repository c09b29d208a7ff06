"""Shared helpers of the gate tests: building specs and running checks in-process."""

from __future__ import annotations

import asyncio

from harness.gate.check import run_check
from harness.gate.report import CheckReport
from harness.gate.spec import SETTINGS, CheckSpec, gate_metric
from metrics.sequential import SequentialDesign

ALL_GAMES = ("battle_card", "tower_defense", "elemental_duel")


def make_spec(candidate: str, baseline: str, **kw) -> CheckSpec:
    args = {
        "panel": ("bot/greedy",),
        "games": ALL_GAMES,
        "metric": gate_metric(kw.pop("metric", "wr")),
        "design": SequentialDesign(margin=kw.pop("margin", 0.2)),
        "max_matches": 400,
        "settings": SETTINGS["sides"],
        "rounds": 4,
    }
    args.update(kw)
    return CheckSpec(candidate=candidate, baseline=baseline, **args)


def check(spec: CheckSpec) -> CheckReport:
    return asyncio.run(run_check(spec))
