"""The :class:`TowerDefense` game: ruleset v1 of AdvGameBench's Human-vs-Demon lane battle (spec §2)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, ClassVar

from games.core.game import Game
from games.core.svg import side_infos
from games.core.types import BattleResult, Side, SideKey, ValidatedPlan
from games.tower_defense import planning, render, rules
from games.tower_defense.engine import Outcome, run_battle
from games.tower_defense.params import TowerDefenseParams
from games.tower_defense.ruleset import V1_RULES, TDRules
from games.tower_defense.units import Demon, Human
from games.tower_defense.validate import PLAN_KEYS, plan_schema, validate_plan

#: Result labels of the original simulator.
RESULT_LABELS = {"A": "Human win", "B": "Demon win"}


def _survivor(unit: Human | Demon) -> dict[str, Any]:
    if isinstance(unit, Human):
        return {"name": unit.spec.name, "x": unit.col, "y": unit.row, "hp": unit.hp}
    return {"name": unit.spec.name, "y": unit.row, "x_px": unit.x, "hp": round(unit.hp, 6)}


def _value(unit: Human | Demon) -> int:
    return unit.spec.cost if isinstance(unit, Human) else unit.spec.value


def summarize(outcome: Outcome) -> dict[str, Any]:
    """The JSON battle summary of an engine outcome (spec §2.10 result line, plus survivors)."""
    survivors = outcome.survivors
    return {
        "end_tick": outcome.end_tick,
        "result": RESULT_LABELS[outcome.winner],
        "lost_row": outcome.lost_row,
        "winner_remaining": len(survivors),
        "winner_remaining_cost": sum(_value(u) for u in survivors),
        "survivors": [_survivor(u) for u in survivors],
        "capped": outcome.capped,
        "humans_lost": outcome.humans_lost,
        "demons_killed": outcome.demons_killed,
    }


class TowerDefense(Game[TowerDefenseParams]):
    """Tower Defense: humans place shooters and blockers on a 5 x 11 board, demons walk in from the right.

    Side A is the Human side (plan key ``humans``), side B the Demon side (``demons``). Simulation follows
    the canonical fixed-timestep model A of spec §2.7–2.9 exactly.
    """

    name = "tower_defense"
    params_type: ClassVar[type[Any]] = TowerDefenseParams
    default_initial_attempts = 5
    final_extra_round = False

    @property
    def engine_rules(self) -> TDRules:
        """The ruleset's units and engine constants (later rulesets override it)."""
        return V1_RULES

    @property
    def sides(self) -> tuple[Side, Side]:
        """Human (A) and Demon (B)."""
        p = self.params
        return (
            Side("A", "human", "Human", PLAN_KEYS["A"], p.human_budget),
            Side("B", "demon", "Demon", PLAN_KEYS["B"], p.demon_budget),
        )

    def catalogue(self, side: SideKey) -> dict[str, Any]:
        """Both sides' units and every engine constant the rules text uses."""
        return rules.catalogue_dict(self.side(side).key, self.params)

    def rules_text(self, side: SideKey) -> str:
        """The complete rules for a model playing ``side``, generated from the catalogue."""
        return rules.rules_text(self.side(side).key, self.params)

    def example_plan(self, side: SideKey) -> dict[str, Any]:
        """The spec's example plan: two HandgunSoldiers / two NormalDemons."""
        key = self.side(side).key
        return {k: [dict(e) for e in v] for k, v in rules.EXAMPLE_PLANS[key].items()}

    def plan_schema(self, side: SideKey) -> dict[str, Any]:
        """JSON Schema (draft 2020-12) of a valid plan for ``side``."""
        return plan_schema(self.side(side).key, self.params, self.engine_rules)

    def validate(self, side: SideKey, obj: Any) -> ValidatedPlan:
        """Strict v1 validation; never raises."""
        return validate_plan(self.side(side).key, obj, self.params, self.engine_rules)

    def simulate(self, plan_a: ValidatedPlan, plan_b: ValidatedPlan) -> BattleResult:
        """Play the two canonical plans; budgets are not considered here."""
        outcome = run_battle(
            plan_a.plan[PLAN_KEYS["A"]], plan_b.plan[PLAN_KEYS["B"]], self.params, rules=self.engine_rules
        )
        return BattleResult(outcome.winner, self.summarize(outcome))

    def summarize(self, outcome: Outcome) -> dict[str, Any]:
        """The JSON battle summary of an engine outcome."""
        return summarize(outcome)

    def random_plan(self, side: SideKey, rng: random.Random) -> dict[str, Any]:
        """A random valid plan within budget (1 to 15 units, spawn times mostly 0 .. 6000 ms)."""
        return planning.random_plan(self.side(side).key, rng, self.params, self.engine_rules)

    def greedy_plan(self, side: SideKey) -> dict[str, Any]:
        """A fixed heuristic plan within budget."""
        return planning.greedy_plan(self.side(side).key, self.params)

    def mutate_plan(self, side: SideKey, plan: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        """A small random change of ``plan`` that stays valid and within budget."""
        key = self.side(side).key
        entries = self.validate(key, plan).plan[PLAN_KEYS[key]]
        return planning.mutate_plan(key, entries, rng, self.params, self.engine_rules)

    def margin(self, result: BattleResult, side: SideKey) -> float:
        """Share of the winner's units that survived (for the winner) or of the enemy destroyed (loser)."""
        s = result.summary
        remaining = s["winner_remaining"]
        if result.winner == side:
            lost = s["humans_lost"] if side == "A" else s["demons_killed"]
            share = remaining / (remaining + lost) if remaining + lost else 0.0
        else:
            destroyed = s["demons_killed"] if side == "A" else s["humans_lost"]
            share = destroyed / (destroyed + remaining) if destroyed + remaining else 0.0
        return 0.99 * share

    def render_svg(self, plan_a: Mapping[str, Any], plan_b: Mapping[str, Any]) -> str:
        """The board with the humans in their cells and the demons in their spawn lanes, plus a legend.

        See :meth:`games.core.game.Game.render_svg` for the contract (any JSON value, never raises).
        """
        p, r = self.params, self.engine_rules
        return render.render(
            plan_a,
            plan_b,
            side_infos(self, plan_a, plan_b),
            cols=p.board_cols,
            rows=p.board_rows,
            humans=list(r.humans),
            demons=list(r.demons),
            lives=r.lives,
        )
