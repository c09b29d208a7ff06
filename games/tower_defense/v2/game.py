"""The :class:`TowerDefenseV2` game: ruleset v2 of tower defense, balanced with the audit as the judge."""

from __future__ import annotations

import random
from typing import Any, ClassVar, cast

from games.core.types import BattleResult, SideKey
from games.tower_defense.engine import Outcome
from games.tower_defense.game import TowerDefense, summarize
from games.tower_defense.ruleset import TDRules
from games.tower_defense.v2 import planning, rules
from games.tower_defense.v2.catalogue import v2_rules
from games.tower_defense.v2.params import TowerDefenseV2Params
from games.tower_defense.validate import PLAN_KEYS

#: How much of a win's margin comes from the lives kept (the rest from the units kept).
LIVES_SHARE = 0.5
#: How much of a Demon loss's margin comes from the lives taken (the rest from the humans destroyed).
LEAK_SHARE = 0.8


class TowerDefenseV2(TowerDefense):
    """Tower defense, ruleset v2: v1's board, units and tick procedure, with the v2 changes.

    The Human side has lives (a demon reaching the goal costs one and leaves), LinearExplosion is a mine
    (its fuse starts when a demon stops at it), a demon plan fields at most two FlyingDemons, spawn times
    are limited and battles are capped sooner. Everything else is v1.
    """

    ruleset: ClassVar[str] = "v2"
    params_type: ClassVar[type[Any]] = TowerDefenseV2Params

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        super().__init__(params)
        self.v2params = p = cast(TowerDefenseV2Params, self.params)
        self._rules = v2_rules(p.lives, p.flying_cap, p.max_spawn_time)

    @property
    def engine_rules(self) -> TDRules:
        """The v2 units and engine constants for these parameters."""
        return self._rules

    def catalogue(self, side: SideKey) -> dict[str, Any]:
        """Both sides' v2 units and every number the rules text uses."""
        return rules.catalogue_dict(self.side(side).key, self.v2params, self._rules)

    def rules_text(self, side: SideKey) -> str:
        """The complete v2 rules for a model playing ``side``, generated from the v2 catalogue."""
        return rules.rules_text(self.side(side).key, self.v2params, self._rules)

    def summarize(self, outcome: Outcome) -> dict[str, Any]:
        """v1's battle summary plus the lives: ``lives``, ``leaked`` and ``lives_left``."""
        summary = summarize(outcome)
        lives = self._rules.lives
        summary["lives"] = lives
        summary["leaked"] = outcome.leaked
        summary["lives_left"] = lives - outcome.leaked - (1 if outcome.winner == "B" else 0)
        return summary

    def random_plan(self, side: SideKey, rng: random.Random) -> dict[str, Any]:
        """A random valid plan within budget: a few focus rows, unit types and spawn times."""
        return planning.random_plan(self.side(side).key, rng, self.params, self._rules)

    def greedy_plan(self, side: SideKey) -> dict[str, Any]:
        """A fixed heuristic v2 plan within budget."""
        return planning.greedy_plan(self.side(side).key, self.params, self._rules)

    def mutate_plan(self, side: SideKey, plan: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        """A small change of ``plan`` (v1's mutations, or clone / regroup / resync an entry)."""
        key = self.side(side).key
        entries = self.validate(key, plan).plan[PLAN_KEYS[key]]
        return planning.mutate_plan(key, entries, rng, self.params, self._rules)

    def margin(self, result: BattleResult, side: SideKey) -> float:
        """How comfortably ``side`` did, in [0, 1): lives kept or taken count, then units.

        A Human win scores the lives kept and the humans kept; a Demon win the demons kept; a Human loss
        the demons destroyed; a Demon loss mostly the lives it took (so a search is led towards leaks).
        """
        s = result.summary
        lives: int = s["lives"]
        remaining: int = s["winner_remaining"]
        killed: int = s["demons_killed"]
        lost: int = s["humans_lost"]
        if result.winner == "A":
            if side == "A":
                kept = remaining / (remaining + lost) if remaining + lost else 0.0
                share: float = LIVES_SHARE * s["lives_left"] / lives + (1 - LIVES_SHARE) * kept
            else:
                hurt = lost / (lost + remaining) if lost + remaining else 0.0
                share = LEAK_SHARE * s["leaked"] / lives + (1 - LEAK_SHARE) * hurt
        elif side == "B":
            share = remaining / (remaining + killed) if remaining + killed else 0.0
        else:
            share = killed / (killed + remaining) if killed + remaining else 0.0
        return 0.99 * share
